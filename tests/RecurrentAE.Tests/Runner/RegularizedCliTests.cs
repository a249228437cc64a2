using RecurrentAE.Model;
using RecurrentAE.Model.Checkpoints;
using RecurrentAE.Model.Data;
using RecurrentAE.Tests.Data;
using SkiaSharp;
using Xunit;

namespace RecurrentAE.Tests.Runner;

/// <summary>The denoising, sparse and variational flags of <c>rae train</c>, <c>rae evaluate --noise</c>, <c>rae sample</c>
/// and <c>rae interpolate</c> end to end on a tiny Fashion-MNIST-shaped set (their flags' one-line usage errors are in
/// <see cref="CliTests.BadFlagsAreOneLineUsageErrors"/>).</summary>
public class RegularizedCliTests
{
    static readonly string[] Cpu = ["--accelerator", "cpu", "--threads", "1"];

    static readonly Lazy<string> Images = new(() => TestIdx.FashionDirectory(FashionMnist.ValidationCount + 24));

    internal static string[] Train(string dir, params string[] flags) =>
        ["train", "--data", Images.Value, "--encoder", "6,3", "--decoder", "5", "--epochs", "2", "--batch-size", "8", "--max-steps", "2", "--out", dir, .. flags, .. Cpu];

    [Fact]
    public void VariationalRunWritesItsColumnsSamplesAndInterpolates()
    {
        string dir = TestIdx.TempDir();
        var r = CliTests.Rae(Train(dir, "--variational", "--kl-weight", "0.5", "--kl-warmup", "1", "--noise", "0.1"));
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("variational coding, KL weight 0.5 after a 1-epoch linear warm-up", r.Out);
        var lines = File.ReadAllLines(Path.Combine(dir, "history.csv"));
        Assert.Equal("epoch,loss,val_loss,seconds,ms_per_step,lr,reconstruction,kl,val_reconstruction,val_kl", lines[0]);
        Assert.Equal(3, lines.Length);
        var checkpoint = Checkpoint.Load(dir);
        Assert.Equal(CodingKind.Variational, checkpoint.Spec.Coding);
        Assert.Equal((0.5f, 1, 0.1f), (checkpoint.Options!.KlWeight, checkpoint.Options.KlWarmupEpochs, checkpoint.Options.InputNoise));
        foreach (var h in checkpoint.History)
        {
            Assert.True(h.Kl > 0 && h.ValKl > 0 && h.Reconstruction > 0 && h.ValReconstruction > 0);
            // val_loss = val_reconstruction + weight x ramp x val_kl; the ramp is 1 once the 1-epoch warm-up is over
            if (h.Epoch == 2) Assert.Equal(h.ValReconstruction + 0.5 * h.ValKl, h.ValLoss, 6);
        }

        string samples = Path.Combine(dir, "s.png");
        var s = CliTests.Rae(["sample", "--model", dir, "--n", "5", "--per-row", "3", "--out", samples, .. Cpu]);
        Assert.True(s.Code == 0, s.Err);
        using (var bitmap = SKBitmap.Decode(samples))
        {
            // 3 x 2 cells of 28 x 28 pixels enlarged 4 times, 8 pixels apart, captions under each when a font exists
            Assert.Equal(3 * (112 + 8) + 8, bitmap.Width);
            Assert.True(bitmap.Height >= 2 * (112 + 8) + 8);
        }
        var again = Path.Combine(dir, "s2.png");
        Assert.Equal(0, CliTests.Rae(["sample", "--model", dir, "--n", "5", "--per-row", "3", "--out", again, .. Cpu]).Code);
        Assert.Equal(File.ReadAllBytes(samples), File.ReadAllBytes(again)); // the same seed draws the same codings

        string line = Path.Combine(dir, "i.png");
        var i = CliTests.Rae(["interpolate", "--model", dir, "--from", "0", "--to", "3", "--steps", "4", "--data", Images.Value, "--out", line, .. Cpu]);
        Assert.True(i.Code == 0, i.Err);
        using (var bitmap = SKBitmap.Decode(line)) Assert.Equal(4 * (112 + 8) + 8, bitmap.Width);

        CliTests.AssertUsageError(CliTests.Rae(["interpolate", "--model", dir, "--from", "0", "--to", "99999", "--data", Images.Value, .. Cpu]), "--to 99999 is outside the 5000 sequences");
        CliTests.AssertUsageError(CliTests.Rae(["interpolate", "--model", dir, "--from", "0", "--to", "1", "--steps", "1", "--data", Images.Value, .. Cpu]), "--steps must be at least 2");
        // resuming may not change the new settings
        CliTests.AssertUsageError(CliTests.Rae(["train", "--resume", dir, "--data", Images.Value, "--noise", "0.3", .. Cpu]), "--noise cannot change when resuming");
    }

    [Fact]
    public void NoisyEvaluationIsRepeatableAndDiffersFromClean()
    {
        string dir = TestIdx.TempDir();
        Assert.Equal(0, CliTests.Rae(Train(dir)).Code);
        string Val(params string[] extra)
        {
            var r = CliTests.Rae(["evaluate", "--model", dir, "--data", Images.Value, .. extra, .. Cpu]);
            Assert.True(r.Code == 0, r.Err);
            return r.Out.Split('\n')[0];
        }
        string clean = Val(), noisy = Val("--noise", "0.3");
        Assert.StartsWith("val_loss: ", noisy);
        Assert.NotEqual(clean, noisy);
        Assert.Equal(noisy, Val("--noise", "0.3"));

        CliTests.AssertUsageError(CliTests.Rae(["sample", "--model", dir, .. Cpu]), "rae sample needs a variational model");
        CliTests.AssertUsageError(CliTests.Rae(["interpolate", "--model", dir, "--from", "0", "--to", "1", .. Cpu]), "rae interpolate needs a variational model");
        CliTests.AssertUsageError(CliTests.Rae(["train", "--resume", dir, "--data", Images.Value, "--variational", .. Cpu]), "--variational cannot be turned on when resuming");
    }

    [Fact]
    public void SparseRunKeepsItsSigmoidCodingsAndPenalties()
    {
        string dir = TestIdx.TempDir();
        var r = CliTests.Rae(Train(dir, "--sparsity", "0.1", "--sparsity-weight", "0.2", "--l1-coding", "0.001"));
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("sparse (sigmoid) coding, KL to target 0.1 weight 0.2, L1 0.001", r.Out);
        var checkpoint = Checkpoint.Load(dir);
        Assert.Equal(CodingKind.Sparse, checkpoint.Spec.Coding);
        Assert.Equal((0.1f, 0.2f, 0.001f), (checkpoint.Options!.Sparsity, checkpoint.Options.SparsityWeight, checkpoint.Options.L1Coding));
        // the loss adds the penalties to the reconstruction; there is no KL column's value
        Assert.All(checkpoint.History, h => Assert.True(h.Loss > h.Reconstruction && double.IsNaN(h.Kl)));
        var e = CliTests.Rae(["encode", "--model", dir, "--data", Images.Value, "--out", Path.Combine(dir, "c.csv"), .. Cpu]);
        Assert.True(e.Code == 0, e.Err);
        var values = File.ReadLines(Path.Combine(dir, "c.csv")).Skip(1).SelectMany(l => l.Split(',').Skip(1))
            .Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(5000 * 3, values.Count);
        Assert.All(values, v => Assert.InRange(v, 0, 1)); // sigmoid codings
    }

    [Fact]
    public void VariationalTextModelSamplesLines()
    {
        var dir = TestIdx.TempDir();
        var text = Path.Combine(dir, "lines.txt");
        File.WriteAllText(text, "hello world\nthe cat\na dog\nlstm\nhello\ncat and dog\nworld\ntiny\na cat\n");
        var run = Path.Combine(dir, "run");
        var train = CliTests.Rae(["train", "--text", text, "--epochs", "2", "--batch-size", "4", "--encoder", "8,4", "--decoder", "8", "--variational", "--out", run, .. Cpu]);
        Assert.True(train.Code == 0, train.Err);
        var file = Path.Combine(dir, "samples.txt");
        var r = CliTests.Rae(["sample", "--model", run, "--n", "3", "--steps", "7", "--out", file, .. Cpu]);
        Assert.True(r.Code == 0, r.Err);
        var symbols = Checkpoint.Load(run).Data.Vocabulary!.Symbols;
        var lines = File.ReadAllLines(file);
        Assert.Equal(3, lines.Length);
        Assert.All(lines, l => Assert.True(l.Length <= 7 * 2 && System.Globalization.StringInfo.ParseCombiningCharacters(l).Length <= 7));
        Assert.All(lines, l => Assert.All(System.Text.RegularExpressions.Regex.Split(l, "").Where(c => c.Length > 0), c => Assert.Contains(c, symbols)));
        Assert.Contains("sample 0: ", r.Out);
    }

    [Fact]
    public void VariationalSequenceModelSamplesPlotsAndNeedsSteps()
    {
        var dir = TestIdx.TempDir();
        var csv = RecurrentAE.Tests.Series.SeriesFiles.Write(RecurrentAE.Tests.Series.SeriesFiles.Sines(24, 10, labels: false, ragged: false), "train.csv");
        var run = Path.Combine(dir, "run");
        var train = CliTests.Rae(["train", "--csv", csv, "--epochs", "2", "--batch-size", "8", "--encoder", "6,3", "--decoder", "6", "--variational", "--out", run, .. Cpu]);
        Assert.True(train.Code == 0, train.Err);
        CliTests.AssertUsageError(CliTests.Rae(["sample", "--model", run, .. Cpu]), "--steps is needed");
        var png = Path.Combine(dir, "s.png");
        var r = CliTests.Rae(["sample", "--model", run, "--n", "2", "--steps", "10", "--out", png, .. Cpu]);
        Assert.True(r.Code == 0, r.Err);
        using var bitmap = SKBitmap.Decode(png);
        Assert.True(bitmap.Width > 100 && bitmap.Height > 100);
        var i = CliTests.Rae(["interpolate", "--model", run, "--from", "0", "--to", "1", "--steps", "3", "--out", png, .. Cpu]);
        Assert.True(i.Code == 0, i.Err);
    }
}

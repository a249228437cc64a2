using RecurrentAE.Runner;
using RecurrentAE.Runner.DataSources;
using RecurrentAE.Runner.Training;
using RecurrentAE.Tests.Series;

namespace RecurrentAE.Tests.Runner;

/// <summary>The training flags on the command line: parsing, one-line errors, each source's defaults, and what --resume may
/// change (the bad values of each flag are rows of <see cref="CliTests.BadFlagsAreOneLineUsageErrors"/>).</summary>
public class TrainingCliTests
{
    internal static readonly string[] Cpu = ["--accelerator", "cpu", "--threads", "1"];
    static readonly string[] TinyModel = ["--encoder", "6,3", "--decoder", "6", "--batch-size", "8"];
    static int[] Bits(float[] v) => v.Select(BitConverter.SingleToInt32Bits).ToArray();

    internal static string Csv() => SeriesFiles.Write(SeriesFiles.Sines(40, 12, labels: false, ragged: true), "train.csv");

    [Theory]
    [InlineData("--random-crops", "--random-crops crops whole sequences")]
    [InlineData("--random-splices", "--random-splices joins whole sequences")]
    public void AugmentingASeriesIsAUsageError(string flag, string expected) =>
        CliTests.AssertUsageError(CliTests.Rae(["train", "--series", Csv(), flag, "0.5", "--out", TestIdx.TempDir(), .. Cpu]), expected);

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("15m", 15 * 60)]
    [InlineData("1h30m", 90 * 60)]
    [InlineData("2h", 7200)]
    [InlineData("1h0m30s", 3630)]
    public void DurationsParse(string text, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), Durations.Parse(text, "--time-limit"));
        Assert.Equal(TimeSpan.FromSeconds(seconds), Durations.Parse(Durations.Format(TimeSpan.FromSeconds(seconds)), "--time-limit"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("m")]
    [InlineData("30m1h")]
    [InlineData("10")]
    [InlineData("-5m")]
    public void BadDurationsAreUsageErrors(string text) =>
        Assert.Contains("--time-limit", Assert.Throws<UsageException>(() => Durations.Parse(text, "--time-limit")).Message);

    [Fact]
    public void EachKindHasItsDefaultsAndFashionMnistKeepsTheReferenceRun()
    {
        Assert.Equal(new TrainingOptions(), TrainingDefaults.For(DataInfo.FashionMnistKind));
        foreach (var kind in new[] { DataInfo.CsvKind, DataInfo.NpyKind, DataInfo.TextKind })
        {
            var o = TrainingDefaults.For(kind);
            o.Validate();
            Assert.NotNull(o.EarlyStoppingPatience);
            Assert.True(o.Epochs >= 15, kind);
        }
    }

    [Theory]
    [InlineData(95_996, 0.1, 9_600)]
    [InlineData(25, 0.1, 2)] // 2.5 rounds to even
    [InlineData(4, 0.1, 1)] // 0.4 rounds to 0: at least one validates
    [InlineData(1, 0.1, 0)] // a single sequence trains
    [InlineData(100, 0.0, 0)]
    public void ValidCountIsTheRoundedFractionAndAtLeastOne(int count, double fraction, int expected) =>
        Assert.Equal(expected, TrainingDefaults.ValidCount(count, fraction));

    [Fact]
    public void TheTextCommandsSpecIsTheLibrarysTextSpec()
    {
        var text = AutoencoderSpec.Text(76);
        Assert.Equal(text, TextSettings.Spec(76, null, null, null));
        Assert.Equal("76 -> [256] -> [256] -> 76 (cce, teacher forcing)", text.ToString());
        Assert.Equal(963_660, (int)text.ParameterCount()); // 76 symbols: the fortune lines' vocabulary
        Assert.Equal(text with { EncoderUnits = [128], ReverseOutput = true }, TextSettings.Spec(76, [128], null, true));
    }

    [Fact]
    public void CsvTrainsWithEarlyStoppingByDefaultAndSaysWhyItStopped()
    {
        string run = TestIdx.TempDir();
        var r = CliTests.Rae(["train", "--csv", Csv(), "--epochs", "3", "--out", run, .. TinyModel, .. Cpu]);
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("early stopping after", r.Out);
        Assert.Matches(@" - lr: \d\.\d+e-0\d - best: epoch [1-3]", r.Out);
        Assert.Contains("Stopped at the epoch cap (3 epochs)", r.Out);
        var c = Checkpoint.Load(run);
        Assert.Equal(TrainingDefaults.For(DataInfo.CsvKind) with { Epochs = 3, BatchSize = 8 }, c.Options);
        Assert.True(c.HasWeights(Checkpoint.BestPrefix));
        Assert.Equal("epoch,loss,val_loss,seconds,ms_per_step,lr", File.ReadLines(Path.Combine(run, "history.csv")).First());
    }

    /// <summary>Through the CLI with the csv defaults (early stopping, plateau, clipping): a run cancelled in its first
    /// step and resumed ends with every tensor (weights, Adam, best and last weights) equal to an uninterrupted run's.</summary>
    [Fact]
    public void CliResumeWithTheCsvDefaultsIsBitExact()
    {
        string csv = Csv(), full = TestIdx.TempDir(), cut = TestIdx.TempDir();
        string[] common = ["train", "--csv", csv, "--epochs", "4", "--warmup", "3", .. TinyModel, .. Cpu];
        var a = CliTests.Rae([.. common, "--out", full]);
        Assert.True(a.Code == 0, a.Err);
        using (var cancelled = new CancellationTokenSource())
        {
            cancelled.Cancel();
            var i = CliTests.Rae(cancelled.Token, [.. common, "--out", cut]);
            Assert.True(i.Code == RaeApp.Interrupted, i.Err);
        }
        var b = CliTests.Rae(["train", "--resume", cut, "--csv", csv, .. Cpu]);
        Assert.True(b.Code == 0, b.Err);
        var x = Checkpoint.Load(full);
        var y = Checkpoint.Load(cut);
        Assert.Equal(x.Tensors.Keys.Order(), y.Tensors.Keys.Order());
        foreach (var (name, t) in x.Tensors) Assert.Equal(Bits(t.Data), Bits(y.Tensors[name].Data));
        Assert.Equal(x.History.Select(h => (h.Loss, h.ValLoss, h.LearningRate)), y.History.Select(h => (h.Loss, h.ValLoss, h.LearningRate)));
        Assert.Equal(x.Data.Threshold, y.Data.Threshold);
    }

    [Fact]
    public void ResumeMayChangeOnlyEpochsTimeLimitAndPatience()
    {
        string csv = Csv(), run = TestIdx.TempDir();
        var r = CliTests.Rae(["train", "--csv", csv, "--epochs", "2", "--out", run, .. TinyModel, .. Cpu]);
        Assert.True(r.Code == 0, r.Err);
        string[] resume = ["train", "--resume", run, "--csv", csv, .. Cpu];
        CliTests.AssertUsageError(CliTests.Rae([.. resume, "--clip-norm", "0.5"]), "--clip-norm cannot change when resuming (the checkpoint was trained with 1)");
        CliTests.AssertUsageError(CliTests.Rae([.. resume, "--lr-schedule", "cosine"]), "--lr-schedule cannot change when resuming (the checkpoint was trained with plateau)");
        CliTests.AssertUsageError(CliTests.Rae([.. resume, "--warmup", "5"]), "--warmup cannot change when resuming");
        CliTests.AssertUsageError(CliTests.Rae([.. resume, "--min-delta", "0.1"]), "--min-delta cannot change when resuming");
        CliTests.AssertUsageError(CliTests.Rae([.. resume, "--early-stopping", "0"]), "--early-stopping cannot be turned off when resuming");
        CliTests.AssertUsageError(CliTests.Rae([.. resume, "--lr", "0.01"]), "--lr cannot change when resuming");
        var ok = CliTests.Rae([.. resume, "--epochs", "3", "--early-stopping", "7", "--time-limit", "1h"]);
        Assert.True(ok.Code == 0, ok.Err);
        var c = Checkpoint.Load(run);
        Assert.Equal((3, 7, TimeSpan.FromHours(1)), (c.Options!.Epochs, c.Options.EarlyStoppingPatience, c.Options.TimeLimit));
        Assert.Equal(3, c.History.Count);

        // a cosine schedule decays over its epoch cap: the cap is fixed
        string cosine = TestIdx.TempDir();
        Assert.Equal(0, CliTests.Rae(["train", "--csv", csv, "--epochs", "1", "--lr-schedule", "cosine", "--out", cosine, .. TinyModel, .. Cpu]).Code);
        CliTests.AssertUsageError(CliTests.Rae(["train", "--resume", cosine, "--csv", csv, "--epochs", "2", .. Cpu]), "--epochs cannot change when resuming a run with --lr-schedule cosine");
    }
}

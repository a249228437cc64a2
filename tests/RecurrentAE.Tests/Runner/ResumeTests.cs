using RecurrentAE.Kernels.Cpu;
using RecurrentAE.Model.Optimization;
using RecurrentAE.Runner;

namespace RecurrentAE.Tests.Runner;

/// <summary>Interrupting and resuming through a checkpoint reaches the same weights, bit for bit, as an uninterrupted run.</summary>
public class ResumeTests
{
    static readonly AutoencoderSpec Tiny = new(6, [8, 4], [8]);
    static int[] Bits(float[] v) => v.Select(BitConverter.SingleToInt32Bits).ToArray();

    static SequenceDataset Synthetic(int count, int seed)
    {
        var rnd = new Random(seed);
        var values = new float[count * 5 * 6];
        for (int i = 0; i < values.Length; i++) values[i] = rnd.Next(256) / 255f;
        return new SequenceDataset(values, count, 5, 6, Enumerable.Range(0, count).Select(i => i % 10).ToArray());
    }

    [Fact]
    public void LibraryResumeMidEpochIsBitExact()
    {
        var trainData = Synthetic(37, 1);
        var validData = Synthetic(9, 2);
        var options = new TrainingOptions(Epochs: 3, BatchSize: 8, LearningRate: 1e-2f, Seed: 5);
        using var backend = new CpuBackend(1);

        float[] expected;
        OptimizerState expectedState;
        List<EpochResult> expectedHistory;
        using (var model = new RecurrentAutoencoder(backend, Tiny, options.Seed))
        using (var train = model.Upload(trainData))
        using (var valid = model.Upload(validData))
        {
            var trainer = new Trainer(model, train, valid, options);
            Assert.True(trainer.Run(CancellationToken.None));
            expected = model.GetParameters();
            expectedState = model.GetOptimizerState();
            expectedHistory = [.. trainer.History];
        }

        var path = Path.Combine(TestIdx.TempDir(), Checkpoint.FileName);
        using (var model = new RecurrentAutoencoder(backend, Tiny, options.Seed))
        using (var train = model.Upload(trainData))
        using (var valid = model.Upload(validData))
        {
            var trainer = new Trainer(model, train, valid, options);
            using var cts = new CancellationTokenSource();
            int steps = 0;
            trainer.StepCompleted = (_, _, _, _) => { if (++steps == 7) cts.Cancel(); }; // in the second epoch (5 steps an epoch)
            Assert.False(trainer.Run(cts.Token));
            Assert.Equal((1, 2), (trainer.Position.Epoch, trainer.Position.Step));
            Checkpoint.Save(path, model, options, trainer.Position, trainer.History);
        }

        var c = Checkpoint.Load(path);
        using (var model = new RecurrentAutoencoder(backend, c.Spec, options.Seed + 1000)) // different init: all must come from the checkpoint
        using (var train = model.Upload(trainData))
        using (var valid = model.Upload(validData))
        {
            c.ApplyTo(model, includeOptimizer: true);
            var trainer = new Trainer(model, train, valid, c.Options!);
            trainer.History.AddRange(c.History);
            trainer.Position = c.Position!;
            Assert.True(trainer.Run(CancellationToken.None));
            Assert.Equal(Bits(expected), Bits(model.GetParameters()));
            var s = model.GetOptimizerState();
            Assert.Equal(expectedState.Step, s.Step);
            Assert.Equal(Bits(expectedState.FirstMoment), Bits(s.FirstMoment));
            Assert.Equal(Bits(expectedState.SecondMoment), Bits(s.SecondMoment));
            Assert.Equal(expectedHistory.Select(h => (h.Epoch, h.Loss, h.ValLoss)), trainer.History.Select(h => (h.Epoch, h.Loss, h.ValLoss)));
        }
    }

    /// <summary>The CLI: an uninterrupted run, and a run cancelled (Ctrl-C) then resumed, end with the same weights and history.</summary>
    [Fact]
    public void CliInterruptAndResumeMatchesUninterruptedRun()
    {
        var data = TestIdx.FashionDirectory(5000 + 40, gzip: true, testCount: 16);
        string full = TestIdx.TempDir(), cut = TestIdx.TempDir();
        string[] common = ["--data", data, "--epochs", "2", "--batch-size", "16", "--max-steps", "2", "--accelerator", "cpu", "--threads", "1"];

        var r = CliTests.Rae(["train", .. common, "--out", full]);
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("Epoch 2/2", r.Out);
        Assert.Matches(@"2/2 - \d+s - \d+ms/step - loss: \d\.\d{4} - val_loss: \d\.\d{4}", r.Out);
        foreach (var f in new[] { "model.safetensors", "history.csv", "history.json", "loss.png", "reconstructions.png" })
            Assert.True(File.Exists(Path.Combine(full, f)), f);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(full, "history.csv")).Length);

        using (var cancelled = new CancellationTokenSource())
        {
            cancelled.Cancel(); // as if Ctrl-C came during the first step
            var i = CliTests.Rae(cancelled.Token, ["train", .. common, "--out", cut]);
            Assert.True(i.Code == RaeApp.Interrupted, i.Err);
            Assert.Contains("--resume", i.Err);
            Assert.NotNull(Checkpoint.Load(cut).Position);
        }
        var resumed = CliTests.Rae("train", "--resume", cut, "--data", data, "--accelerator", "cpu", "--threads", "1");
        Assert.True(resumed.Code == 0, resumed.Err);

        var a = Checkpoint.Load(full);
        var b = Checkpoint.Load(cut);
        Assert.Equal(a.Tensors.Keys.Order(), b.Tensors.Keys.Order());
        foreach (var (name, t) in a.Tensors) Assert.Equal(Bits(t.Data), Bits(b.Tensors[name].Data));
        Assert.Equal(a.AdamStep, b.AdamStep);
        Assert.Equal(a.History.Select(h => (h.Loss, h.ValLoss)), b.History.Select(h => (h.Loss, h.ValLoss)));

        // the other commands on the trained run
        var e = CliTests.Rae("evaluate", "--model", full, "--data", data, "--accelerator", "cpu");
        Assert.True(e.Code == 0, e.Err);
        Assert.Matches(@"^val_loss: \d\.\d{6}\ntest_loss: \d\.\d{6}\n$", e.Out.ReplaceLineEndings("\n"));
        var csv = Path.Combine(full, "codings.csv");
        Assert.Equal(0, CliTests.Rae("encode", "--model", full, "--data", data, "--accelerator", "cpu", "--out", csv).Code);
        var lines = File.ReadAllLines(csv);
        Assert.Equal(5001, lines.Length);
        Assert.StartsWith("label,c0,c1,", lines[0]);
        Assert.Equal(31, lines[1].Split(',').Length);
        Assert.StartsWith("0,", lines[1]);
        var png = Path.Combine(full, "r.png");
        Assert.Equal(0, CliTests.Rae("reconstruct", "--model", full, "--data", data, "--accelerator", "cpu", "--n", "3", "--out", png).Code);
        Assert.True(File.Exists(png));
    }
}

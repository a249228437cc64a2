using RecurrentAE.Kernels.Cpu;
using RecurrentAE.Model.Optimization;

namespace RecurrentAE.Tests.Runner;

/// <summary>
/// Every training setting survives a checkpoint: a run stopped at the end of a step (cancellation or the time limit),
/// saved, loaded into a model with other initial weights and resumed, ends with the same weights, Adam state, history
/// and best weights, bit for bit, as an uninterrupted run. And early stopping ends on the best epoch's weights, bit for
/// bit those its checkpoint held after that epoch.
/// </summary>
public class TrainingResumeTests
{
    static readonly AutoencoderSpec Tiny = new(3, [8, 4], [8], OutputHead.Linear);
    static int[] Bits(float[] v) => v.Select(BitConverter.SingleToInt32Bits).ToArray();

    static SequenceDataset Synthetic(int count, int seed)
    {
        var rnd = new Random(seed);
        var values = new float[count * 6 * 3];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(rnd.NextDouble() * 4 - 2);
        return new SequenceDataset(values, count, 6, 3);
    }

    static readonly SequenceDataset TrainData = Synthetic(29, 1), ValidData = Synthetic(7, 2);

    sealed record Outcome(float[] Weights, OptimizerState State, List<EpochResult> History, float[]? Best, StopReason Reason, int Epochs);

    static Outcome Uninterrupted(CpuBackend backend, TrainingOptions options)
    {
        using var model = new RecurrentAutoencoder(backend, Tiny, options.Seed);
        using var train = model.Upload(TrainData);
        using var valid = model.Upload(ValidData);
        var trainer = new Trainer(model, train, valid, options) { Clock = () => TimeSpan.Zero };
        Assert.True(trainer.Run(CancellationToken.None));
        return new Outcome(model.GetParameters(), model.GetOptimizerState(), [.. trainer.History], trainer.BestWeights, trainer.StopReason, trainer.History.Count);
    }

    /// <summary>Runs in sessions: each stops after <paramref name="stepsPerSession"/> steps (the time limit on a fake clock
    /// of one second a step when <paramref name="byTimeLimit"/>, else cancellation), saves a checkpoint, and the next
    /// session loads it into a fresh model with other initial weights.</summary>
    static Outcome InSessions(CpuBackend backend, TrainingOptions options, int stepsPerSession, bool byTimeLimit) =>
        ResumedSession.InSessions(backend, Tiny, byTimeLimit ? options with { TimeLimit = TimeSpan.FromSeconds(stepsPerSession) } : options,
            TrainData, ValidData, stepsPerSession,
            // the last session's weights: those the model holds (best weights when early stopping ended the run)
            (model, trainer) => new Outcome(model.GetParameters(), model.GetOptimizerState(), [.. trainer.History], trainer.BestWeights, trainer.StopReason, trainer.History.Count),
            fakeClock: true, byTimeLimit, trainer => Assert.Equal(byTimeLimit ? StopReason.TimeLimit : StopReason.Cancelled, trainer.StopReason));

    public static TheoryData<string, TrainingOptions> Settings() => new()
    {
        { "early stopping", new(Epochs: 40, BatchSize: 8, LearningRate: 0.02f, Seed: 3, EarlyStoppingPatience: 2) },
        { "early stopping, min delta", new(Epochs: 12, BatchSize: 8, LearningRate: 0.01f, Seed: 4, EarlyStoppingPatience: 2, MinDelta: 1e9) },
        { "cosine", new(Epochs: 4, BatchSize: 8, LearningRate: 0.01f, Seed: 5, Schedule: LearningRateSchedule.Cosine) },
        { "plateau", new(Epochs: 8, BatchSize: 8, LearningRate: 0.05f, Seed: 6, Schedule: LearningRateSchedule.Plateau, PlateauPatience: 1, MinDelta: 0.01) },
        { "warm-up", new(Epochs: 3, BatchSize: 8, LearningRate: 0.01f, Seed: 7, WarmupSteps: 7) },
        { "clip-norm", new(Epochs: 3, BatchSize: 8, LearningRate: 0.01f, Seed: 8, ClipNorm: 0.05f) },
        { "all together", new(Epochs: 30, BatchSize: 8, LearningRate: 0.02f, Seed: 9, EarlyStoppingPatience: 2, MinDelta: 0.02, Schedule: LearningRateSchedule.Cosine, WarmupSteps: 5, ClipNorm: 0.5f) },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void InterruptedAndResumedEqualsUninterrupted(string name, TrainingOptions options)
    {
        using var backend = new CpuBackend(1);
        var expected = Uninterrupted(backend, options);
        if (options.EarlyStoppingPatience is not null)
            Assert.True(expected.Reason == StopReason.EarlyStopping && expected.Epochs < options.Epochs, $"{name}: early stopping never stopped the run");
        foreach (var (steps, byTime) in new[] { (3, false), (7, true), (4, true) }) // 4 steps an epoch: (4, true) stops at epoch ends
        {
            var got = InSessions(backend, options, steps, byTime);
            string at = $"{name}, sessions of {steps} steps by {(byTime ? "time limit" : "cancellation")}";
            Assert.True(Bits(expected.Weights).SequenceEqual(Bits(got.Weights)), $"{at}: weights differ");
            Assert.Equal(expected.State.Step, got.State.Step);
            Assert.True(Bits(expected.State.FirstMoment).SequenceEqual(Bits(got.State.FirstMoment)), $"{at}: Adam m differs");
            Assert.True(Bits(expected.State.SecondMoment).SequenceEqual(Bits(got.State.SecondMoment)), $"{at}: Adam v differs");
            Assert.Equal(expected.History.Select(h => (h.Epoch, h.Loss, h.ValLoss, h.LearningRate)), got.History.Select(h => (h.Epoch, h.Loss, h.ValLoss, h.LearningRate)));
            Assert.Equal(expected.Reason, got.Reason);
            Assert.Equal(expected.Best is null, got.Best is null);
            if (expected.Best is not null) Assert.True(Bits(expected.Best).SequenceEqual(Bits(got.Best!)), $"{at}: best weights differ");
        }
        if (options.Schedule != LearningRateSchedule.Constant || options.WarmupSteps > 0)
            Assert.True(expected.History.Select(h => h.LearningRate).Distinct().Count() > 1, "the schedule never moved the rate");
    }

    /// <summary>Early stopping ends on the best epoch's weights: bit for bit those the checkpoint held after that epoch.</summary>
    [Theory]
    [InlineData(0.0, 60)]  // a natural run: whichever epoch is best
    [InlineData(1e9, 12)]  // nothing after epoch 1 improves by 1e9: stops at epoch 1 + patience, on epoch 1's weights
    public void EarlyStoppingRestoresTheBestEpochsCheckpointedWeights(double minDelta, int epochs)
    {
        using var backend = new CpuBackend(1);
        var options = new TrainingOptions(Epochs: epochs, BatchSize: 8, LearningRate: 0.05f, Seed: 11, EarlyStoppingPatience: 2, MinDelta: minDelta);
        string dir = TestIdx.TempDir();
        using var model = new RecurrentAutoencoder(backend, Tiny, options.Seed);
        using var train = model.Upload(TrainData);
        using var valid = model.Upload(ValidData);
        var trainer = new Trainer(model, train, valid, options);
        trainer.EpochCompleted = r => Checkpoint.Save(Path.Combine(dir, $"epoch{r.Epoch}.safetensors"), model, trainer);
        Assert.True(trainer.Run(CancellationToken.None));
        var monitor = trainer.Monitor;
        if (minDelta > 0)
        {
            Assert.Equal(StopReason.EarlyStopping, trainer.StopReason);
            Assert.Equal((1, 3), (monitor.BestEpoch, trainer.History.Count));
        }
        Assert.Equal(trainer.History.Min(h => h.ValLoss) is var min && minDelta == 0 ? trainer.History.First(h => h.ValLoss == min).Epoch : 1, monitor.BestEpoch);
        var saved = Checkpoint.Load(Path.Combine(dir, $"epoch{monitor.BestEpoch}.safetensors"));
        using var fresh = saved.CreateModel(backend);
        Assert.Equal(Bits(fresh.GetParameters()), Bits(model.GetParameters()));
        Assert.Equal(Bits(trainer.BestWeights!), Bits(model.GetParameters()));
        if (monitor.BestEpoch != trainer.History.Count)
        {
            // the weights training reached are kept for a resume, and they differ from the best
            Assert.NotNull(trainer.LastWeights);
            Assert.NotEqual(Bits(trainer.LastWeights!), Bits(model.GetParameters()));
        }
    }
}

using RecurrentAE.Model.Optimization;
using RecurrentAE.Kernels.Cpu;
using RecurrentAE.Model;
using RecurrentAE.Model.Checkpoints;
using RecurrentAE.Tests.Data;
using Xunit;

namespace RecurrentAE.Tests.Runner;

/// <summary>
/// Denoising, sparse and variational training survive a checkpoint: a run cancelled every few steps, saved, and resumed
/// into a model with other initial weights ends with the same weights, Adam state and history (with its reconstruction and
/// KL columns), bit for bit, as an uninterrupted run. Each option also changes the weights (it is not ignored).
/// </summary>
public class RegularizedResumeTests
{
    static int[] Bits(float[] v) => v.Select(BitConverter.SingleToInt32Bits).ToArray();

    static SequenceDataset Synthetic(int count, int seed)
    {
        var rnd = new Random(seed);
        var values = new float[count * 6 * 3];
        for (int i = 0; i < values.Length; i++) values[i] = (float)rnd.NextDouble();
        return new SequenceDataset(values, count, 6, 3);
    }

    static readonly SequenceDataset TrainData = Synthetic(29, 1), ValidData = Synthetic(7, 2);

    public static TheoryData<string, AutoencoderSpec, TrainingOptions> Settings()
    {
        var plain = new AutoencoderSpec(3, [8, 4], [8]);
        var options = new TrainingOptions(Epochs: 3, BatchSize: 8, LearningRate: 0.01f, Seed: 5);
        return new()
        {
            { "noise", plain, options with { InputNoise = 0.3f } },
            { "input dropout", plain, options with { InputDropout = 0.3f } },
            { "sparse", plain with { Coding = CodingKind.Sparse }, options with { Sparsity = 0.1f, SparsityWeight = 0.2f, L1Coding = 0.01f } },
            { "variational", plain with { Coding = CodingKind.Variational }, options with { KlWeight = 0.5f, KlWarmupEpochs = 2 } },
            { "variational, noisy, teacher-forced", plain with { Coding = CodingKind.Variational, TeacherForcing = true }, options with { InputNoise = 0.1f, TeacherForcingDropout = 0.25f } },
        };
    }

    sealed record Outcome(float[] Weights, OptimizerState State, List<EpochResult> History);

    static Outcome Run(CpuBackend backend, AutoencoderSpec spec, TrainingOptions options, int stepsPerSession) =>
        ResumedSession.InSessions(backend, spec, options, TrainData, ValidData, stepsPerSession,
            (model, trainer) => new Outcome(model.GetParameters(), model.GetOptimizerState(), [.. trainer.History]));

    [Theory]
    [MemberData(nameof(Settings))]
    public void InterruptedAndResumedEqualsUninterrupted(string name, AutoencoderSpec spec, TrainingOptions options)
    {
        using var backend = new CpuBackend(1);
        var expected = Run(backend, spec, options, int.MaxValue);
        var got = Run(backend, spec, options, 3);
        Assert.True(Bits(expected.Weights).SequenceEqual(Bits(got.Weights)), $"{name}: weights differ");
        Assert.True(Bits(expected.State.FirstMoment).SequenceEqual(Bits(got.State.FirstMoment)), $"{name}: Adam m differs");
        Assert.Equal(expected.History.Select(h => (h.Loss, h.ValLoss, h.Reconstruction, h.Kl, h.ValReconstruction, h.ValKl)),
            got.History.Select(h => (h.Loss, h.ValLoss, h.Reconstruction, h.Kl, h.ValReconstruction, h.ValKl)));
        bool variational = spec.Coding == CodingKind.Variational, regularized = spec.Coding != CodingKind.State;
        Assert.All(expected.History, h =>
        {
            Assert.Equal(regularized, double.IsFinite(h.Reconstruction) && double.IsFinite(h.ValReconstruction));
            Assert.Equal(variational, h.Kl > 0 && h.ValKl > 0);
        });

        // the option is not ignored: without it (same spec) the run ends elsewhere
        var without = options with { InputNoise = 0, InputDropout = 0, Sparsity = null, L1Coding = 0, KlWeight = spec.Coding == CodingKind.Variational ? 0 : 1 };
        var plain = Run(backend, spec, without, int.MaxValue);
        Assert.False(Bits(expected.Weights).SequenceEqual(Bits(plain.Weights)), $"{name}: the option changed nothing");
    }
}

using RecurrentAE.Kernels.Cpu;
using RecurrentAE.Model;
using RecurrentAE.Tests.Model;

namespace RecurrentAE.Tests.Cpu;

/// <summary>The CPU backend's training arithmetic does not depend on its thread count: the same model on the same batches
/// ends on the same weights, bit for bit, with 1, 2 or 3 threads (every op forced to split across the threads), ragged
/// batches and a small last batch included.</summary>
public class CpuDeterminismTests
{
    const int Count = 31, Steps = 7, Features = 5, Batch = 13;

    public static TheoryData<bool, bool, bool, CodingKind> Cases => new()
    {
        { false, false, false, CodingKind.State },
        { true, false, true, CodingKind.State },
        { true, true, false, CodingKind.State },
        { false, true, true, CodingKind.State },
        { true, false, false, CodingKind.Variational },
        { false, false, true, CodingKind.Sparse },
    };

    internal static float[] TrainFiveSteps(int threads, AutoencoderSpec spec, SequenceDataset data, float? clip)
    {
        using var backend = new CpuBackend(threads, CpuFeatures.Best) { MinParallelWork = 0 };
        using var model = new RecurrentAutoencoder(backend, spec, seed: 3, maxBatch: 16) { GradientClipNorm = clip };
        if (spec.Coding == CodingKind.Sparse) model.Sparsity = new SparsityPenalty(Weight: 0.1f, Target: 0.1f, L1: 0.01f);
        model.Adam = model.Adam with { LearningRate = 1e-2f };
        using var device = model.Upload(data);
        using var order = BatchOrder.Identity(backend, data.Count);
        // batches of 13, 13, 5 (the last one ragged), 13, 13
        foreach (int start in new[] { 0, 13, 26, 0, 13 })
            model.TrainStep(device, order, start, Math.Min(Batch, data.Count - start));
        return model.GetParameters();
    }

    internal static SequenceDataset Data(int seed, bool ragged, OutputHead head = OutputHead.Sigmoid)
    {
        var random = new Random(seed);
        int[]? lengths = ragged ? [.. Enumerable.Range(0, Count).Select(_ => random.Next(1, Steps + 1))] : null;
        if (lengths is not null) lengths[0] = Steps;
        return new SequenceDataset(ModelTestData.ForHead(random, head, Count, Steps, Features, lengths), Count, Steps, Features, lengths: lengths);
    }

    static int[] Bits(float[] v) => [.. v.Select(BitConverter.SingleToInt32Bits)];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Weights_after_five_Adam_steps_are_bit_identical_with_1_2_and_3_threads(bool ragged, bool teacherForced, bool clip, CodingKind coding)
    {
        int seed = ModelTestData.FreshSeed();
        var spec = new AutoencoderSpec(Features, [16, 9], [12], OutputHead.Sigmoid, ReverseOutput: ragged, TeacherForcing: teacherForced, Coding: coding);
        var data = Data(seed, ragged);
        float? clipNorm = clip ? 0.05f : null;
        var one = TrainFiveSteps(1, spec, data, clipNorm);
        using (var backend = new CpuBackend(1, CpuFeatures.Best))
        using (var fresh = new RecurrentAutoencoder(backend, spec, seed: 3, maxBatch: 16))
        {
            var initial = fresh.GetParameters();
            Assert.True(one.Zip(initial).Max(p => Math.Abs(p.First - p.Second)) > 1e-3, "five steps must move the weights");
        }
        foreach (int threads in new[] { 2, 3 })
        {
            var many = TrainFiveSteps(threads, spec, data, clipNorm);
            int differing = one.Zip(many).Count(p => BitConverter.SingleToInt32Bits(p.First) != BitConverter.SingleToInt32Bits(p.Second));
            Assert.True(differing == 0, $"seed {seed}: {differing} of {one.Length} weights differ between 1 and {threads} threads");
            Assert.Equal(Bits(one), Bits(many));
        }
    }
}

using Xunit.Abstractions;

namespace RecurrentAE.Tests.Model;

/// <summary>A teacher-forced model's Reconstruct/Decode decode greedily, step by step, fed the model's own previous
/// output: against a float64 step-by-step greedy decode of the same parameters, and against the teacher-forced decoder
/// fed those same outputs.</summary>
public class GreedyDecodingTests(ITestOutputHelper output)
{
    public static IEnumerable<object[]> Cases() =>
        from b in new[] { "cpu", "ilgpu-cpu" }
        from c in new (OutputHead Head, bool Reverse)[] { (OutputHead.Softmax, false), (OutputHead.Softmax, true), (OutputHead.Linear, true), (OutputHead.Sigmoid, false) }
        select new object[] { b, c.Head, c.Reverse };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reconstruct_equals_a_float64_greedy_decode(string backendName, OutputHead head, bool reverse)
    {
        using var backend = TestBackends.Create(backendName);
        using var model = LargeWeightModel(backend, head, reverse, out int seed, out var random);
        var spec = model.Spec;
        int count = 4, steps = 7, f = spec.Features;
        int[] lengths = [7, 3, 5, 1];
        var reference = new ReferenceAutoencoder(spec, model.Parameters);
        var wd = model.GetParameters().Select(v => (double)v).ToArray();

        // A float32 model takes the float64 path only where no argmax is a near tie: draw data until none is (a tie
        // closer than 1e-3 is rare: a few tries at most).
        float[] values = [];
        double[] expected = [];
        double gap = 0;
        for (int attempt = 0; attempt < 20 && gap < 1e-3; attempt++)
        {
            values = ModelTestData.ForHead(random, head, count, steps, f, lengths);
            (expected, gap) = reference.Greedy(wd, values, count, steps, lengths);
        }
        Assert.True(gap >= 1e-3, $"seed {seed}: every draw had an argmax within {gap} of a tie");
        var data = new SequenceDataset(values, count, steps, f, lengths: lengths);
        var actual = model.Reconstruct(data);

        double scale = Math.Max(1, expected.Max(Math.Abs)), worst = 0;
        for (int n = 0; n < count; n++)
            for (int i = n * steps * f; i < (n * steps + lengths[n]) * f; i++)
            {
                double err = Math.Abs(actual[i] - expected[i]) / scale;
                worst = Math.Max(worst, err);
                Assert.True(err < 2e-5, $"seed {seed}: sequence {n}, value {i - n * steps * f}: {actual[i]}, float64 greedy {expected[i]}");
            }
        if (head == OutputHead.Softmax)
        {
            // the greedy path is not the input fed back: a random model's choices differ from random symbols
            var teacherForced = TeacherForcedAt(model, data, values, reverse);
            Assert.Contains(Enumerable.Range(0, actual.Length), i => Math.Abs(actual[i] - teacherForced[i]) > 1e-3);
        }
        output.WriteLine($"{backendName} {head} reverse={reverse} seed {seed}: largest error vs the float64 greedy decode {worst:E2} (smallest argmax gap {gap:G3})");
    }

    /// <summary>Fed its own greedy outputs (softmax: their argmaxes as one-hot), the teacher-forced decoder gives those
    /// same outputs; and Decode of the codings equals Reconstruct.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Teacher_forced_outputs_at_the_greedy_outputs_are_the_greedy_outputs(string backendName, OutputHead head, bool reverse)
    {
        using var backend = TestBackends.Create(backendName);
        using var model = LargeWeightModel(backend, head, reverse, out int seed, out var random);
        int count = 3, steps = 6, f = model.Spec.Features;
        var data = new SequenceDataset(ModelTestData.ForHead(random, head, count, steps, f, null), count, steps, f);

        var codings = model.Encode(data);
        var greedy = model.Decode(codings, count, steps);
        var reconstructed = model.Reconstruct(data);
        for (int i = 0; i < greedy.Length; i++)
            Assert.True(Math.Abs(greedy[i] - reconstructed[i]) <= 1e-6, $"seed {seed}: Decode {greedy[i]} vs Reconstruct {reconstructed[i]} at {i}");

        var modelOrder = reverse ? DeviceDataset.ReverseEach(greedy, count, steps, f, _ => steps) : greedy;
        var fed = (float[])modelOrder.Clone();
        if (head == OutputHead.Softmax) RecurrentAutoencoder.ArgmaxOneHot(fed, count * steps, f);
        var teacherForced = model.DecodeTeacherForced(codings, count, fed, steps);
        double worst = 0;
        for (int i = 0; i < teacherForced.Length; i++)
        {
            double err = Math.Abs(teacherForced[i] - modelOrder[i]);
            worst = Math.Max(worst, err);
            Assert.True(err < 1e-5, $"seed {seed}: value {i}: teacher forced {teacherForced[i]}, greedy {modelOrder[i]}");
        }
        output.WriteLine($"{backendName} {head} reverse={reverse} seed {seed}: largest teacher-forced vs greedy difference {worst:E2}");
    }

    [Fact]
    public void The_argmax_fed_back_is_one_hot_and_the_first_index_wins_a_tie()
    {
        float[] v = [0.2f, 0.5f, 0.5f, 0.9f, 0.1f, 0.9f, 0.3f, 0.3f, 0.3f];
        RecurrentAutoencoder.ArgmaxOneHot(v, 3, 3);
        Assert.Equal([0f, 1, 0, 1, 0, 0, 1, 0, 0], v);
    }

    /// <summary>A teacher-forced model of a fresh <paramref name="seed"/> with weights larger than the initial ones (scaled
    /// by 2.5, plus noise), so that the outputs, and the argmaxes fed back, vary from step to step; <paramref name="random"/>
    /// drew the noise and draws the test's data next.</summary>
    private static RecurrentAutoencoder LargeWeightModel(IComputeBackend backend, OutputHead head, bool reverse, out int seed, out Random random)
    {
        var (fresh, noise) = ModelTestData.FreshRandom();
        var model = new RecurrentAutoencoder(backend, TeacherForcingTests.Spec(head, reverse), fresh);
        model.SetParameters(model.GetParameters().Select(v => v * 2.5f + (float)((noise.NextDouble() - 0.5) * 0.6)).ToArray());
        (seed, random) = (fresh, noise);
        return model;
    }

    /// <summary>The teacher-forced outputs for the data fed back as targets (what training sees), in the data's order.</summary>
    private static float[] TeacherForcedAt(RecurrentAutoencoder model, SequenceDataset data, float[] values, bool reverse)
    {
        int f = data.Features;
        var targets = reverse ? DeviceDataset.ReverseEach(values, data.Count, data.Steps, f, data.LengthOf) : values;
        var outputs = model.DecodeTeacherForced(model.Encode(data), data.Count, targets, data.Steps);
        return reverse ? DeviceDataset.ReverseEach(outputs, data.Count, data.Steps, f, data.LengthOf) : outputs;
    }
}

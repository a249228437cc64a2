namespace RecurrentAE.Tests.Model;

/// <summary>
/// <see cref="RecurrentAutoencoder.StepErrors"/>: each step's loss against a float64 reference (the reference model's
/// reconstruction, its per-step loss computed in float64), in INPUT step order also with a reversed decoder, NaN on
/// padding, and a sequence's error the mean of its own steps' errors.
/// </summary>
public class StepErrorTests
{
    public static IEnumerable<object[]> Cases() =>
        from b in new[] { "cpu", "ilgpu-cpu" }
        from c in new (OutputHead Head, bool Reverse, bool TeacherForcing)[]
        {
            (OutputHead.Linear, false, false), (OutputHead.Linear, true, false), (OutputHead.Sigmoid, true, false),
            (OutputHead.Softmax, false, false), (OutputHead.Linear, true, true),
        }
        select new object[] { b, c.Head, c.Reverse, c.TeacherForcing };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Step_errors_equal_a_float64_reference_in_input_order(string backendName, OutputHead head, bool reverse, bool teacherForcing)
    {
        var (seed, random) = ModelTestData.FreshRandom();
        var spec = new AutoencoderSpec(3, [5, 4], [6], head, reverse, teacherForcing);
        int count = 4, steps = 7, f = spec.Features;
        int[] lengths = [7, 3, 5, 1];
        using var backend = TestBackends.Create(backendName);
        using var model = new RecurrentAutoencoder(backend, spec, seed, maxBatch: 3); // two batches: 3 sequences, then 1
        // Larger weights than the initial ones so the errors differ from step to step.
        var w = model.GetParameters().Select(v => v * 2.5f + (float)((random.NextDouble() - 0.5) * 0.6)).ToArray();
        model.SetParameters(w);
        var reference = new ReferenceAutoencoder(spec, model.Parameters);
        var values = ModelTestData.ForHead(random, head, count, steps, f, lengths);
        var (outputs, _) = reference.Greedy([.. w.Select(v => (double)v)], values, count, steps, lengths);
        var data = new SequenceDataset(values, count, steps, f, lengths: lengths);

        var actual = model.StepErrors(data);
        var sequences = model.SequenceErrors(data);

        Assert.Equal(count * steps, actual.Length);
        for (int n = 0; n < count; n++)
        {
            double sum = 0;
            for (int t = 0; t < steps; t++)
            {
                float e = actual[n * steps + t];
                if (t >= lengths[n]) { Assert.True(float.IsNaN(e), $"seed {seed}: padded step {n},{t} is {e}, not NaN"); continue; }
                double expected = StepLoss(head, outputs.AsSpan((n * steps + t) * f, f), values.AsSpan((n * steps + t) * f, f));
                Assert.True(Math.Abs(e - expected) <= 2e-4 * Math.Max(1, Math.Abs(expected)),
                    $"seed {seed}: sequence {n} step {t}: {e}, float64 {expected}");
                sum += e;
            }
            Assert.True(Math.Abs(sum / lengths[n] - sequences[n]) <= 1e-5 * Math.Max(1, Math.Abs(sequences[n])), $"sequence {n}: mean of steps {sum / lengths[n]} vs {sequences[n]}"); // a tolerance, not rounding to 5 places (1.1885550 and 1.1885549 round apart)
        }
        // the errors differ from step to step, so a wrong order (reversed, shifted) would fail above
        Assert.True(actual.Take(lengths[0]).Distinct().Count() == lengths[0]);
    }

    /// <summary>The mean over a step's features of bce / squared error, or the cross-entropy of a one-hot step.</summary>
    static double StepLoss(OutputHead head, ReadOnlySpan<double> p, ReadOnlySpan<float> y)
    {
        double sum = 0;
        for (int i = 0; i < p.Length; i++)
            sum += head switch
            {
                OutputHead.Sigmoid => -(y[i] * Math.Log(Math.Clamp(p[i], 1e-7, 1 - 1e-7)) + (1 - y[i]) * Math.Log(1 - Math.Clamp(p[i], 1e-7, 1 - 1e-7))),
                OutputHead.Linear => (p[i] - y[i]) * (p[i] - y[i]),
                _ => -y[i] * Math.Log(p[i]),
            };
        return head == OutputHead.Softmax ? sum : sum / p.Length;
    }
}

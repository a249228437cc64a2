using Xunit.Abstractions;

namespace RecurrentAE.Tests.Model;

/// <summary>The MSE and softmax heads, and batches of sequences of different lengths, against the float64 reference
/// (which runs every sequence alone at its own length, so it is also the one-by-one baseline).</summary>
public class HeadsAndLengthsTests(ITestOutputHelper output)
{
    public static IEnumerable<object[]> Cases() =>
        from b in new[] { "cpu", "ilgpu-cpu" }
        from h in new[] { OutputHead.Sigmoid, OutputHead.Linear, OutputHead.Softmax }
        from ragged in new[] { false, true }
        select new object[] { b, h, ragged };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Loss_and_every_gradient_match_the_reference(string backendName, OutputHead head, bool ragged)
    {
        var (seed, random) = ModelTestData.FreshRandom();
        var spec = ModelTestData.SmallSpec with { Head = head };
        var data = ModelTestData.FourSequences(random, spec, ragged);

        using var backend = TestBackends.Create(backendName);
        using var model = new RecurrentAutoencoder(backend, spec, seed);
        var (_, loss, gradient, refLoss, refGrad) = ModelTestData.GradientsBesideReference(model, random, data);
        Assert.True(Math.Abs(loss - refLoss) / Math.Abs(refLoss) < 2e-5, $"seed {seed}: loss {loss} vs reference {refLoss}");
        double worst = ModelTestData.AssertGradientsMatch(model.Parameters, gradient, refGrad, refGrad, 1e-4, $"seed {seed}, reference");
        output.WriteLine($"{backendName} {head} ragged={ragged} seed {seed}: loss {loss} vs {refLoss}, worst gradient error {worst:E2}");
    }

    [Fact]
    public void A_ragged_batch_equals_its_sequences_run_one_by_one()
    {
        var (seed, random) = ModelTestData.FreshRandom();
        var spec = ModelTestData.SmallSpec with { Head = OutputHead.Linear };
        int[] lengths = [3, 7, 1, 5];
        var sequences = lengths.Select(l => Enumerable.Range(0, l * spec.Features).Select(_ => (float)random.NextDouble()).ToArray()).ToList();
        var batch = SequenceDataset.FromRagged(sequences, spec.Features);
        using var backend = TestBackends.Create("cpu");
        using var model = new RecurrentAutoencoder(backend, spec, seed);

        float batchLoss = model.ComputeGradients(batch);
        var batchGrad = model.GetGradients();
        var codes = model.Encode(batch);

        double total = lengths.Sum();
        double weighted = 0;
        var sum = new double[model.ParameterCount];
        for (int n = 0; n < lengths.Length; n++)
        {
            var alone = new SequenceDataset(sequences[n], 1, lengths[n], spec.Features);
            // Each alone is the mean over its own values: weight it by its share of the batch's values.
            weighted += model.ComputeGradients(alone) * lengths[n] / total;
            var g = model.GetGradients();
            for (int i = 0; i < g.Length; i++) sum[i] += g[i] * lengths[n] / total;
            var code = model.Encode(alone);
            for (int c = 0; c < code.Length; c++) Assert.Equal(code[c], codes[n * spec.CodingSize + c], 5e-6);
        }
        Assert.Equal(weighted, batchLoss, 5e-6); // a tolerance, not rounding to 5 places (which fails on a rounding boundary)
        double scale = sum.Max(Math.Abs);
        for (int i = 0; i < sum.Length; i++)
            Assert.True(Math.Abs(sum[i] - batchGrad[i]) / scale < 1e-5, $"seed {seed}: gradient {i}: batch {batchGrad[i]}, one by one {sum[i]}");
    }
}

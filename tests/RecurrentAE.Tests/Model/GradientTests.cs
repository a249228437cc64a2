using Xunit.Abstractions;

namespace RecurrentAE.Tests.Model;

/// <summary>The whole model's loss and every parameter gradient against the float64 reference, which is itself checked by finite differences.</summary>
public class GradientTests(ITestOutputHelper output)
{
    [Fact]
    public void Reference_gradient_matches_finite_differences()
    {
        var (seed, random) = ModelTestData.FreshRandom();
        var spec = ModelTestData.SmallSpec;
        using var backend = TestBackends.Create("cpu");
        using var model = new RecurrentAutoencoder(backend, spec, seed);
        var reference = new ReferenceAutoencoder(spec, model.Parameters);
        var w = model.GetParameters().Select(v => (double)v).ToArray();
        // Move the biases away from their initial zeros so no gradient is trivially zero.
        for (int i = 0; i < w.Length; i++) w[i] += (random.NextDouble() - 0.5) * 0.2;
        int count = 2, steps = 4;
        var batch = ModelTestData.RandomSequences(random, count, steps, spec.Features);
        double worst = ModelTestData.AssertFiniteDifferences(reference, w, batch, count, steps, 1e-9, $"seed {seed}").Worst;
        output.WriteLine($"seed {seed}: {w.Length} parameters, largest relative error of the float64 gradient vs finite differences {worst:E2}");
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void Model_loss_and_every_gradient_match_the_float64_reference(string backendName)
    {
        var (seed, random) = ModelTestData.FreshRandom();
        var spec = ModelTestData.SmallSpec;
        using var backend = TestBackends.Create(backendName);
        using var model = new RecurrentAutoencoder(backend, spec, seed);
        int count = 3, steps = 5;
        var data = new SequenceDataset(ModelTestData.RandomSequences(random, count, steps, spec.Features), count, steps, spec.Features);
        var (_, loss, gradient, refLoss, refGrad) = ModelTestData.GradientsBesideReference(model, random, data);
        Assert.True(Math.Abs(loss - refLoss) / refLoss < 1e-5, $"seed {seed}: loss {loss} vs reference {refLoss}");
        double worst = ModelTestData.AssertGradientsMatch(model.Parameters, gradient, refGrad, refGrad, 1e-4, $"seed {seed}, reference");
        output.WriteLine($"{backendName}, seed {seed}: loss {loss} vs {refLoss}; largest gradient error relative to its tensor's largest entry {worst:E2}");
    }
}

using Xunit.Abstractions;

namespace RecurrentAE.Tests.Model;

/// <summary>The whole model's loss and every parameter gradient against the float64 reference, which is itself checked by finite differences.</summary>
public class GradientTests(ITestOutputHelper output)
{
    [Fact]
    public void Reference_gradient_matches_finite_differences()
    {
        int seed = ModelTestData.FreshSeed();
        var random = new Random(seed);
        var spec = ModelTestData.SmallSpec;
        using var backend = TestBackends.Create("cpu");
        using var model = new RecurrentAutoencoder(backend, spec, seed);
        var reference = new ReferenceAutoencoder(spec, model.Parameters);
        var w = model.GetParameters().Select(v => (double)v).ToArray();
        // Move the biases away from their initial zeros so no gradient is trivially zero.
        for (int i = 0; i < w.Length; i++) w[i] += (random.NextDouble() - 0.5) * 0.2;
        int count = 2, steps = 4;
        var batch = ModelTestData.RandomSequences(random, count, steps, spec.Features);
        var grad = new double[w.Length];
        reference.LossAndGradient(w, batch, count, steps, grad);
        double worst = 0;
        const double h = 1e-6;
        for (int i = 0; i < w.Length; i++)
        {
            double keep = w[i];
            w[i] = keep + h; double up = reference.Loss(w, batch, count, steps);
            w[i] = keep - h; double down = reference.Loss(w, batch, count, steps);
            w[i] = keep;
            double fd = (up - down) / (2 * h);
            double err = Math.Abs(fd - grad[i]) / Math.Max(1e-6, Math.Abs(fd) + Math.Abs(grad[i]));
            worst = Math.Max(worst, err);
            Assert.True(err < 1e-5 || Math.Abs(fd - grad[i]) < 1e-9, $"seed {seed}: parameter {i}: finite difference {fd}, backprop {grad[i]}");
        }
        output.WriteLine($"seed {seed}: {w.Length} parameters, largest relative error of the float64 gradient vs finite differences {worst:E2}");
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void Model_loss_and_every_gradient_match_the_float64_reference(string backendName)
    {
        int seed = ModelTestData.FreshSeed();
        var random = new Random(seed);
        var spec = ModelTestData.SmallSpec;
        using var backend = TestBackends.Create(backendName);
        using var model = new RecurrentAutoencoder(backend, spec, seed);
        var perturbed = model.GetParameters().Select(v => v + (float)((random.NextDouble() - 0.5) * 0.2)).ToArray();
        model.SetParameters(perturbed);
        int count = 3, steps = 5;
        var batch = ModelTestData.RandomSequences(random, count, steps, spec.Features);

        float loss = model.ComputeGradients(new SequenceDataset(batch, count, steps, spec.Features));
        var gradient = model.GetGradients();

        var reference = new ReferenceAutoencoder(spec, model.Parameters);
        var refGrad = new double[model.ParameterCount];
        double refLoss = reference.LossAndGradient(perturbed.Select(v => (double)v).ToArray(), batch, count, steps, refGrad);

        Assert.True(Math.Abs(loss - refLoss) / refLoss < 1e-5, $"seed {seed}: loss {loss} vs reference {refLoss}");
        double worst = ModelTestData.AssertGradientsMatch(model.Parameters, gradient, refGrad, refGrad, 1e-4, $"seed {seed}, reference");
        output.WriteLine($"{backendName}, seed {seed}: loss {loss} vs {refLoss}; largest gradient error relative to its tensor's largest entry {worst:E2}");
    }
}

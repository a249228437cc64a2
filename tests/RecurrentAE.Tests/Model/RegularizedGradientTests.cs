using RecurrentAE.Kernels;
using RecurrentAE.Model;
using Xunit;
using Xunit.Abstractions;

namespace RecurrentAE.Tests.Model;

/// <summary>
/// The denoising, sparse and variational models (issue 15): the float64 reference's gradient against finite differences
/// with each option, and the model's loss and every gradient against the reference on cpu and ilgpu-cpu. The reference
/// is given the model's draws (the corrupted inputs, eps) from the same counter-based keys, so both see the same batch.
/// </summary>
public class RegularizedGradientTests(ITestOutputHelper output)
{
    public enum Option { Noise, Dropout, NoiseAndDropout, Sparse, SparseL1, Variational, VariationalTeacherForced }

    public static TheoryData<Option> Options => new(Enum.GetValues<Option>());

    public static TheoryData<string, Option> BackendsAndOptions()
    {
        var data = new TheoryData<string, Option>();
        foreach (var b in new[] { "cpu", "ilgpu-cpu" })
            foreach (var o in Enum.GetValues<Option>()) data.Add(b, o);
        return data;
    }

    /// <summary>The sparse model is overcomplete (a coding of 6 for 3 features).</summary>
    static AutoencoderSpec SpecFor(Option o) => o switch
    {
        Option.Sparse or Option.SparseL1 => new(3, [5, 6], [4], Coding: CodingKind.Sparse),
        Option.Variational => new(3, [5, 2], [4, 3], Coding: CodingKind.Variational),
        Option.VariationalTeacherForced => new(3, [4, 3], [4], TeacherForcing: true, Coding: CodingKind.Variational),
        _ => ModelTestData.SmallSpec,
    };

    static void Configure(RecurrentAutoencoder model, Option o)
    {
        if (o is Option.Noise or Option.NoiseAndDropout) model.InputNoise = 0.3f;
        if (o is Option.Dropout or Option.NoiseAndDropout) model.InputDropout = 0.4f;
        if (o == Option.Sparse) model.Sparsity = new SparsityPenalty(0.2f, 0.3f, 0f);
        if (o == Option.SparseL1) model.Sparsity = new SparsityPenalty(0.1f, 0.5f, 0.02f);
        if (o is Option.Variational or Option.VariationalTeacherForced) model.KlFactor = 0.7f;
    }

    /// <summary>The reference with the model's draws at Adam step 0: its corrupted inputs (time-major index (t B + n) F + f)
    /// and eps (index n C + j).</summary>
    static ReferenceAutoencoder ReferenceFor(RecurrentAutoencoder model, int seed, float[] batch, int count, int steps)
    {
        var spec = model.Spec;
        int F = spec.Features, C = spec.CodingSize;
        float[]? corrupted = null;
        if (model.InputNoise > 0 || model.InputDropout > 0)
        {
            corrupted = new float[batch.Length];
            CounterKey noise = CounterKey.For(seed, 0, CounterKey.NoiseStream), drop = CounterKey.For(seed, 0, CounterKey.DropoutStream);
            for (int n = 0; n < count; n++)
                for (int t = 0; t < steps; t++)
                    for (int f = 0; f < F; f++)
                    {
                        int i = (t * count + n) * F + f;
                        double v = batch[(n * steps + t) * F + f];
                        if (model.InputDropout > 0) v = CounterRandom.Uniform(drop, i) < model.InputDropout ? 0 : v / (1 - model.InputDropout);
                        corrupted[(n * steps + t) * F + f] = (float)(v + model.InputNoise * CounterRandom.Gaussian(noise, i));
                    }
        }
        var reparameterization = CounterKey.For(seed, 0, CounterKey.ReparameterizationStream);
        return new ReferenceAutoencoder(spec, model.Parameters)
        {
            EncoderInput = corrupted,
            Noise = spec.Coding == CodingKind.Variational ? (n, j) => CounterRandom.Gaussian(reparameterization, n * C + j) : null,
            KlFactor = model.KlFactor,
            Sparsity = model.Sparsity,
        };
    }

    [Theory]
    [MemberData(nameof(Options))]
    public void Reference_gradient_matches_finite_differences(Option option)
    {
        var (seed, random) = ModelTestData.FreshRandom();
        var spec = SpecFor(option);
        using var backend = TestBackends.Create("cpu");
        using var model = new RecurrentAutoencoder(backend, spec, seed);
        Configure(model, option);
        int count = 3, steps = 4;
        var batch = ModelTestData.RandomSequences(random, count, steps, spec.Features);
        var reference = ReferenceFor(model, seed, batch, count, steps);
        var w = model.GetParameters().Select(v => v + (random.NextDouble() - 0.5) * 0.2).ToArray();
        // an absolute floor of 1e-8: central differences of a loss of about 1 at h = 1e-6 carry about 1e-10 of rounding, times the penalty weights
        var (grad, worst) = ModelTestData.AssertFiniteDifferences(reference, w, batch, count, steps, 1e-8, $"{option}, seed {seed}");
        // the coding layer's parameters get a gradient (the option is not ignored)
        if (spec.Coding != CodingKind.State)
            Assert.Contains(model.Parameters.Where(p => p.Name.StartsWith("encoder.", StringComparison.Ordinal) && !p.Name.Contains("lstm")),
                p => Enumerable.Range(p.Offset, p.Length).Any(i => Math.Abs(grad[i]) > 1e-6));
        output.WriteLine($"{option}, seed {seed}: {w.Length} parameters, largest relative error vs finite differences {worst:E2}");
    }

    [Theory]
    [MemberData(nameof(BackendsAndOptions))]
    public void Model_loss_and_every_gradient_match_the_float64_reference(string backendName, Option option)
    {
        var (seed, random) = ModelTestData.FreshRandom();
        var spec = SpecFor(option);
        using var backend = TestBackends.Create(backendName);
        using var model = new RecurrentAutoencoder(backend, spec, seed);
        Configure(model, option);
        var perturbed = model.GetParameters().Select(v => v + (float)((random.NextDouble() - 0.5) * 0.2)).ToArray();
        model.SetParameters(perturbed);
        int count = 3, steps = 5;
        var batch = ModelTestData.RandomSequences(random, count, steps, spec.Features);

        float loss = model.ComputeGradients(new SequenceDataset(batch, count, steps, spec.Features));
        var gradient = model.GetGradients();

        var reference = ReferenceFor(model, seed, batch, count, steps);
        var refGrad = new double[model.ParameterCount];
        double refLoss = reference.LossAndGradient(perturbed.Select(v => (double)v).ToArray(), batch, count, steps, refGrad);
        Assert.True(Math.Abs(loss - refLoss) / refLoss < 1e-5, $"{option}, seed {seed}: loss {loss} vs reference {refLoss}");
        double worst = ModelTestData.AssertGradientsMatch(model.Parameters, gradient, refGrad, refGrad, 1e-4, $"{option}, seed {seed}");

        // the plain reference (no draws, no regulariser) has other gradients: the option is not ignored
        var plain = new ReferenceAutoencoder(spec, model.Parameters) { KlFactor = 0 };
        var plainGrad = new double[model.ParameterCount];
        plain.LossAndGradient(perturbed.Select(v => (double)v).ToArray(), batch, count, steps, plainGrad);
        double largest = refGrad.Max(Math.Abs), moved = refGrad.Zip(plainGrad).Max(z => Math.Abs(z.First - z.Second));
        Assert.True(moved > 1e-3 * largest, $"{option}: the option did not change the gradient (by {moved:E2} of {largest:E2})");
        output.WriteLine($"{backendName}, {option}, seed {seed}: loss {loss} vs {refLoss}; largest gradient error {worst:E2}");
    }

    /// <summary>Evaluation of a variational model uses the mean coding, and returns the KL per value beside the reconstruction.</summary>
    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void Variational_evaluation_uses_the_mean_and_reports_the_kl(string backendName)
    {
        var (seed, random) = ModelTestData.FreshRandom();
        var spec = SpecFor(Option.Variational);
        using var backend = TestBackends.Create(backendName);
        using var model = new RecurrentAutoencoder(backend, spec, seed);
        var w = model.GetParameters().Select(v => v + (float)((random.NextDouble() - 0.5) * 0.4)).ToArray();
        model.SetParameters(w);
        int count = 4, steps = 3;
        var batch = ModelTestData.RandomSequences(random, count, steps, spec.Features);
        using var data = model.Upload(new SequenceDataset(batch, count, steps, spec.Features));
        var (reconstruction, kl) = model.EvaluateTerms(data, batchSize: 3);
        var wd = w.Select(v => (double)v).ToArray();
        double withKl = new ReferenceAutoencoder(spec, model.Parameters) { KlFactor = 1 }.Loss(wd, batch, count, steps);
        double without = new ReferenceAutoencoder(spec, model.Parameters) { KlFactor = 0 }.Loss(wd, batch, count, steps);
        Assert.True(Math.Abs(reconstruction - without) < 1e-5 * without, $"seed {seed}: reconstruction {reconstruction} vs {without}");
        Assert.True(kl > 0 && Math.Abs(kl - (withKl - without)) < 1e-4 * kl, $"seed {seed}: KL {kl} vs {withKl - without}");
    }
}

using Xunit.Abstractions;

namespace RecurrentAE.Tests.Model;

/// <summary>The teacher-forced decoder (spec TeacherForcing): the first decoder LSTM sees [coding ; y_{t-1}] through one
/// (C + F, 4U) kernel. Loss and gradients against the float64 reference (itself against finite differences), the
/// parameter layout, the spec's JSON and checkpoints.</summary>
public class TeacherForcingTests(ITestOutputHelper output)
{
    internal static AutoencoderSpec Spec(OutputHead head, bool reverse) =>
        ModelTestData.SmallSpec with { Head = head, ReverseOutput = reverse, TeacherForcing = true };

    [Theory]
    [InlineData(OutputHead.Softmax, true)]
    [InlineData(OutputHead.Linear, false)]
    public void Reference_gradient_matches_finite_differences(OutputHead head, bool reverse)
    {
        var (seed, random) = ModelTestData.FreshRandom();
        var spec = Spec(head, reverse);
        using var backend = TestBackends.Create("cpu");
        using var model = new RecurrentAutoencoder(backend, spec, seed);
        var reference = new ReferenceAutoencoder(spec, model.Parameters);
        var w = model.GetParameters().Select(v => v + (random.NextDouble() - 0.5) * 0.2).ToArray();
        int count = 3, steps = 4;
        int[] lengths = [4, 2, 3];
        var batch = ModelTestData.ForHead(random, head, count, steps, spec.Features, lengths);
        var grad = new double[w.Length];
        reference.LossAndGradient(w, batch, count, steps, grad, lengths);
        double worst = 0;
        const double h = 1e-6;
        for (int i = 0; i < w.Length; i++)
        {
            double keep = w[i];
            w[i] = keep + h; double up = reference.Loss(w, batch, count, steps, lengths);
            w[i] = keep - h; double down = reference.Loss(w, batch, count, steps, lengths);
            w[i] = keep;
            double fd = (up - down) / (2 * h);
            double err = Math.Abs(fd - grad[i]) / Math.Max(1e-6, Math.Abs(fd) + Math.Abs(grad[i]));
            worst = Math.Max(worst, err);
            Assert.True(err < 1e-5 || Math.Abs(fd - grad[i]) < 1e-9, $"seed {seed}: parameter {i}: finite difference {fd}, backprop {grad[i]}");
        }
        // the previous step's rows of the first decoder kernel really get a gradient
        var kernel = model.Parameters.Single(p => p.Name == "decoder.lstm0.kernel");
        int previousRows = kernel.Offset + spec.CodingSize * kernel.Shape[1];
        Assert.Contains(Enumerable.Range(previousRows, spec.Features * kernel.Shape[1]), i => Math.Abs(grad[i]) > 1e-6);
        output.WriteLine($"{head} reverse={reverse} seed {seed}: {w.Length} parameters, largest relative error of the float64 gradient vs finite differences {worst:E2}");
    }

    public static IEnumerable<object[]> Cases() =>
        from b in new[] { "cpu", "ilgpu-cpu" }
        from h in new[] { OutputHead.Softmax, OutputHead.Linear }
        from reverse in new[] { false, true }
        from ragged in new[] { false, true }
        select new object[] { b, h, reverse, ragged };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Loss_and_every_gradient_match_the_reference(string backendName, OutputHead head, bool reverse, bool ragged)
    {
        var (seed, random) = ModelTestData.FreshRandom();
        var spec = Spec(head, reverse);
        var data = ModelTestData.FourSequences(random, spec, ragged);

        using var backend = TestBackends.Create(backendName);
        using var model = new RecurrentAutoencoder(backend, spec, seed);
        var (_, loss, gradient, refLoss, refGrad) = ModelTestData.GradientsBesideReference(model, random, data);
        double evaluated;
        using (var device = model.Upload(data)) evaluated = model.Evaluate(device, batchSize: 3); // two batches
        Assert.True(Math.Abs(loss - refLoss) / Math.Abs(refLoss) < 2e-5, $"seed {seed}: loss {loss} vs reference {refLoss}");
        Assert.True(Math.Abs(evaluated - refLoss) / Math.Abs(refLoss) < 2e-5, $"seed {seed}: Evaluate {evaluated} vs reference {refLoss}");
        double worst = ModelTestData.AssertGradientsMatch(model.Parameters, gradient, refGrad, refGrad, 1e-4, $"seed {seed}, reference");
        output.WriteLine($"{backendName} {head} reverse={reverse} ragged={ragged} seed {seed}: loss {loss} vs {refLoss} (relative {Math.Abs(loss - refLoss) / Math.Abs(refLoss):E2}), " +
            $"worst gradient error {worst:E2}");
    }

    [Fact]
    public void The_first_decoder_kernel_is_one_glorot_matrix_over_coding_and_features()
    {
        var plain = new AutoencoderSpec(20, [40, 30], [40, 24], OutputHead.Softmax);
        var spec = plain with { TeacherForcing = true };
        using var backend = TestBackends.Create("cpu");
        using var a = new RecurrentAutoencoder(backend, plain, 1);
        using var b = new RecurrentAutoencoder(backend, spec, 1);
        Assert.Equal(a.ParameterCount + 20 * 4 * 40, b.ParameterCount);
        Assert.Equal(a.Parameters.Select(p => p.Name), b.Parameters.Select(p => p.Name));
        var kernel = b.Parameters.Single(p => p.Name == "decoder.lstm0.kernel");
        Assert.Equal([30 + 20, 4 * 40], kernel.Shape);
        Assert.Equal([30, 4 * 40], a.Parameters.Single(p => p.Name == "decoder.lstm0.kernel").Shape);
        // glorot_uniform over the whole (C + F, 4U): every value within sqrt(6 / (C + F + 4U)) (0.169; the coding's rows
        // alone would allow 0.178), and 8000 draws reach close to it
        double limit = Math.Sqrt(6.0 / (30 + 20 + 4 * 40));
        var values = b.GetParameters().AsSpan(kernel.Offset, kernel.Length).ToArray();
        Assert.All(values, v => Assert.True(Math.Abs(v) <= limit, $"{v} is outside ±{limit}"));
        Assert.True(values.Max(Math.Abs) > 0.99 * limit);
        Assert.True(values.AsSpan(30 * 160).ToArray().Max(Math.Abs) > 0.98 * limit);
    }

    [Fact]
    public void Spec_json_round_trips_and_other_specs_keep_their_json()
    {
        var spec = Spec(OutputHead.Softmax, reverse: false);
        Assert.Contains("\"teacher_forcing\":true", spec.ToJson());
        Assert.DoesNotContain("teacher", ModelTestData.SmallSpec.ToJson());
        Assert.DoesNotContain("teacher", (ModelTestData.SmallSpec with { ReverseOutput = true }).ToJson());
        var back = AutoencoderSpec.FromJson(spec.ToJson());
        Assert.True(back.TeacherForcing);
        Assert.Equal(spec, back);
        Assert.NotEqual(spec, spec with { TeacherForcing = false });
        Assert.Contains("teacher forcing", spec.ToString());
        Assert.DoesNotContain("teacher", ModelTestData.SmallSpec.ToString());
        // a spec written before the option existed
        var old = AutoencoderSpec.FromJson("{\"features\":3,\"encoder\":[5,2],\"decoder\":[4,3],\"head\":\"cce\",\"reverse\":true}");
        Assert.False(old.TeacherForcing);
        Assert.True(old.ReverseOutput);
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void A_saved_and_loaded_model_reconstructs_identically(string backendName)
    {
        var (seed, random) = ModelTestData.FreshRandom();
        var spec = Spec(OutputHead.Softmax, reverse: true);
        int[] lengths = [5, 3, 4];
        var data = new SequenceDataset(ModelTestData.ForHead(random, spec.Head, 3, 5, spec.Features, lengths), 3, 5, spec.Features, lengths: lengths);
        using var backend = TestBackends.Create(backendName);
        using var model = new RecurrentAutoencoder(backend, spec, seed);
        model.SetParameters(model.GetParameters().Select(v => v + (float)((random.NextDouble() - 0.5) * 0.4)).ToArray());
        var dir = TestIdx.TempDir();
        Checkpoint.Save(Path.Combine(dir, Checkpoint.FileName), model);

        var checkpoint = Checkpoint.Load(dir);
        Assert.Equal(spec, checkpoint.Spec);
        using var restored = checkpoint.CreateModel(backend);
        var before = model.Reconstruct(data).Select(BitConverter.SingleToInt32Bits);
        Assert.Equal(before, restored.Reconstruct(data).Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(model.GetParameters(), restored.GetParameters());
    }
}

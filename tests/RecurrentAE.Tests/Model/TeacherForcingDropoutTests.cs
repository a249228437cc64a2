using RecurrentAE.Model.Optimization;
using Xunit.Abstractions;

namespace RecurrentAE.Tests.Model;

/// <summary>Input dropout of the teacher-forced decoder (<see cref="RecurrentAutoencoder.TeacherForcingDropout"/>): with a
/// fixed mask the loss and every gradient are the float64 reference's with those y_{t-1} zeroed; p = 0 and an all-ones
/// mask are bit for bit no dropout; p = 1 is a model without the previous step's rows; Evaluate and Reconstruct ignore
/// it; the masks repeat with the seed and the Adam step and are drawn at the rate asked.</summary>
public class TeacherForcingDropoutTests(ITestOutputHelper output)
{
    /// <summary>Sets <paramref name="model"/>'s weights to its initial ones plus uniform noise of +-0.1, and returns them.</summary>
    private static float[] Perturb(RecurrentAutoencoder model, Random random)
    {
        var w = model.GetParameters().Select(v => v + (float)((random.NextDouble() - 0.5) * 0.2)).ToArray();
        model.SetParameters(w);
        return w;
    }

    /// <summary>A model of <paramref name="spec"/> and <paramref name="seed"/> holding <paramref name="weights"/>, with
    /// teacher-forcing dropout <paramref name="dropout"/> (null: the setting left as it is).</summary>
    private static RecurrentAutoencoder WithWeights(IComputeBackend backend, AutoencoderSpec spec, int seed, float[] weights, float? dropout = null)
    {
        var model = new RecurrentAutoencoder(backend, spec, seed);
        if (dropout is float p) model.TeacherForcingDropout = p;
        model.SetParameters(weights);
        return model;
    }

    /// <summary><paramref name="count"/> sequences of <paramref name="steps"/> steps of data fitting <paramref name="spec"/>'s head.</summary>
    private static SequenceDataset DataFor(AutoencoderSpec spec, Random random, int count, int steps, int[]? lengths = null) =>
        new(ModelTestData.ForHead(random, spec.Head, count, steps, spec.Features, lengths), count, steps, spec.Features, lengths: lengths);

    private static int[] Bits(float[] values) => Array.ConvertAll(values, BitConverter.SingleToInt32Bits);

    [Theory]
    [MemberData(nameof(TeacherForcingTests.Cases), MemberType = typeof(TeacherForcingTests))]
    public void Fixed_mask_loss_and_every_gradient_match_the_reference_with_those_previous_steps_zeroed(string backendName, OutputHead head, bool reverse, bool ragged)
    {
        var (seed, random) = ModelTestData.FreshRandom();
        var spec = TeacherForcingTests.Spec(head, reverse);
        int count = 4, steps = 6, f = spec.Features;
        int[]? lengths = ragged ? [6, 2, 5, 1] : null;
        var values = ModelTestData.ForHead(random, head, count, steps, f, lengths);
        var data = new SequenceDataset(values, count, steps, f, lengths: lengths);

        using var backend = TestBackends.Create(backendName);
        using var model = new RecurrentAutoencoder(backend, spec, seed) { TeacherForcingDropout = 0.5f };
        var w = Perturb(model, random);
        // a fixed mask: every other row dropped, then a few flipped at random (both kinds always present)
        var mask = Enumerable.Range(0, (steps - 1) * count).Select(i => (i % 2 == 0) ^ (random.Next(5) == 0) ? 0f : 1f).ToArray();
        mask[0] = 0f; mask[1] = 1f;
        float[]? drawn = null;
        model.TeacherForcingMaskHook = (scales, rows, batch) =>
        {
            Assert.Equal((steps - 1, count), (rows, batch));
            drawn = scales.ToArray();
            mask.CopyTo(scales);
        };
        float loss = model.ComputeGradients(data);
        var gradient = model.GetGradients();
        Assert.NotNull(drawn);
        Assert.All(drawn, s => Assert.True(s is 0f or 1f));
        double evaluated;
        using (var device = model.Upload(data)) evaluated = model.Evaluate(device, batchSize: 3);

        var wd = w.Select(v => (double)v).ToArray();
        var reference = new ReferenceAutoencoder(spec, model.Parameters) { DroppedPrevious = (n, t) => mask[(t - 1) * count + n] == 0f };
        var refGrad = new double[model.ParameterCount];
        double refLoss = reference.LossAndGradient(wd, values, count, steps, refGrad, lengths);
        var undroppedGrad = new double[model.ParameterCount];
        double undropped = new ReferenceAutoencoder(spec, model.Parameters).LossAndGradient(wd, values, count, steps, undroppedGrad, lengths);
        double lossError = Math.Abs(loss - refLoss) / Math.Abs(refLoss);
        Assert.True(lossError < 2e-5, $"seed {seed}: loss {loss} vs reference {refLoss}");
        // the mask matters: the gradients without it are far outside the tolerance below
        double maskEffect = model.Parameters.Max(p =>
        {
            var range = Enumerable.Range(p.Offset, p.Length);
            return range.Max(i => Math.Abs(undroppedGrad[i] - refGrad[i])) / Math.Max(1e-12, range.Max(i => Math.Abs(refGrad[i])));
        });
        Assert.True(maskEffect > 1e-2, $"seed {seed}: the mask changes the gradients by only {maskEffect:E2}");
        // Evaluate sees every previous step
        Assert.True(Math.Abs(evaluated - undropped) / Math.Abs(undropped) < 2e-5, $"seed {seed}: Evaluate {evaluated} vs the undropped reference {undropped}");
        double worst = ModelTestData.AssertGradientsMatch(model.Parameters, gradient, refGrad, refGrad, 1e-4, $"seed {seed}, dropout reference");
        output.WriteLine($"{backendName} {head} reverse={reverse} ragged={ragged} seed {seed}: {mask.Count(m => m == 0)}/{mask.Length} dropped; " +
            $"loss {loss} vs {refLoss} (relative {lossError:E2}; undropped {undropped:G6}), worst gradient error {worst:E2} (the mask's own effect {maskEffect:E2})");
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void Zero_dropout_and_an_all_ones_mask_are_bit_identical_to_no_dropout(string backendName)
    {
        var (seed, random) = ModelTestData.FreshRandom();
        var spec = TeacherForcingTests.Spec(OutputHead.Softmax, reverse: true);
        var data = DataFor(spec, random, count: 5, steps: 7, lengths: [7, 3, 6, 1, 5]);
        using var backend = TestBackends.Create(backendName);
        using var plain = new RecurrentAutoencoder(backend, spec, seed);
        var w = Perturb(plain, random);
        using var zero = WithWeights(backend, spec, seed, w, dropout: 0f);
        bool hooked = false;
        zero.TeacherForcingMaskHook = (_, _, _) => hooked = true;
        using var ones = WithWeights(backend, spec, seed, w, dropout: 0.3f);
        ones.TeacherForcingMaskHook = (scales, _, _) => scales.Fill(1f); // the ScaleRows path, keeping every row

        float loss = plain.ComputeGradients(data);
        var gradient = Bits(plain.GetGradients());
        Assert.Equal(BitConverter.SingleToInt32Bits(loss), BitConverter.SingleToInt32Bits(zero.ComputeGradients(data)));
        Assert.Equal(gradient, Bits(zero.GetGradients()));
        Assert.False(hooked, "p = 0 draws no mask");
        Assert.Equal(BitConverter.SingleToInt32Bits(loss), BitConverter.SingleToInt32Bits(ones.ComputeGradients(data)));
        Assert.Equal(gradient, Bits(ones.GetGradients()));
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void Full_dropout_is_a_model_whose_previous_step_rows_are_zero(string backendName)
    {
        var (seed, random) = ModelTestData.FreshRandom();
        var spec = TeacherForcingTests.Spec(OutputHead.Linear, reverse: false);
        var data = DataFor(spec, random, count: 4, steps: 6);
        using var backend = TestBackends.Create(backendName);
        using var dropped = new RecurrentAutoencoder(backend, spec, seed) { TeacherForcingDropout = 1f };
        var w = Perturb(dropped, random);
        dropped.TeacherForcingMaskHook = (scales, _, _) => Assert.All(scales.ToArray(), s => Assert.Equal(0f, s));
        var kernel = dropped.Parameters.Single(p => p.Name == "decoder.lstm0.kernel");
        int previousRows = kernel.Offset + spec.CodingSize * kernel.Shape[1], previousLength = spec.Features * kernel.Shape[1];
        var zeroed = (float[])w.Clone();
        zeroed.AsSpan(previousRows, previousLength).Clear();
        using var blind = WithWeights(backend, spec, seed, zeroed);

        float loss = dropped.ComputeGradients(data), blindLoss = blind.ComputeGradients(data);
        Assert.Equal(blindLoss, loss);
        var gradient = dropped.GetGradients();
        var blindGradient = blind.GetGradients();
        // K[C:] sees only zeros: no gradient; everything else is the blind model's
        Assert.All(gradient.AsSpan(previousRows, previousLength).ToArray(), g => Assert.Equal(0f, g));
        Assert.Contains(blindGradient.AsSpan(previousRows, previousLength).ToArray(), g => g != 0f);
        for (int i = 0; i < gradient.Length; i++)
            if (i < previousRows || i >= previousRows + previousLength)
                Assert.True(gradient[i] == blindGradient[i], $"seed {seed}: gradient {i}: {gradient[i]} vs {blindGradient[i]}");
        output.WriteLine($"{backendName} seed {seed}: loss {loss} = {blindLoss}");
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void Evaluate_and_Reconstruct_ignore_dropout(string backendName)
    {
        var (seed, random) = ModelTestData.FreshRandom();
        var spec = TeacherForcingTests.Spec(OutputHead.Softmax, reverse: false);
        var data = DataFor(spec, random, count: 4, steps: 5, lengths: [5, 2, 4, 3]);
        using var backend = TestBackends.Create(backendName);
        using var plain = new RecurrentAutoencoder(backend, spec, seed);
        var w = Perturb(plain, random);
        using var dropping = WithWeights(backend, spec, seed, w, dropout: 0.9f);
        int masks = 0;
        dropping.TeacherForcingMaskHook = (_, _, _) => masks++;

        Assert.NotEqual(plain.ComputeGradients(data), dropping.ComputeGradients(data)); // training does drop
        Assert.Equal(1, masks);
        using var pd = plain.Upload(data);
        using var dd = dropping.Upload(data);
        Assert.Equal(plain.Evaluate(pd, batchSize: 3), dropping.Evaluate(dd, batchSize: 3));
        Assert.Equal(Bits(plain.Reconstruct(data)), Bits(dropping.Reconstruct(data)));
        Assert.Equal(1, masks);
    }

    [Fact]
    public void Masks_are_drawn_at_the_rate_and_repeat_with_the_seed_and_the_step()
    {
        var a = new float[200_000];
        var b = new float[a.Length];
        foreach (float p in new[] { 0.05f, 0.25f, 0.5f })
        {
            RecurrentAutoencoder.DrawMask(a, 42, 7, p);
            double rate = a.Count(s => s == 0f) / (double)a.Length;
            double sd = Math.Sqrt(p * (1 - p) / a.Length);
            Assert.True(Math.Abs(rate - p) < 5 * sd, $"p {p}: {rate} dropped");
            RecurrentAutoencoder.DrawMask(b, 42, 7, p);
            Assert.Equal(a, b);
            RecurrentAutoencoder.DrawMask(b, 42, 8, p);
            Assert.NotEqual(a, b);
            RecurrentAutoencoder.DrawMask(b, 43, 7, p);
            Assert.NotEqual(a, b);
            output.WriteLine($"p {p}: {rate:F5} of {a.Length} rows dropped (sd {sd:E1})");
        }
        RecurrentAutoencoder.DrawMask(a, 1, 0, 0f);
        Assert.All(a, s => Assert.Equal(1f, s));
    }

    [Fact]
    public void Training_steps_draw_new_masks_that_repeat_for_the_same_seed()
    {
        var spec = TeacherForcingTests.Spec(OutputHead.Softmax, reverse: false);
        int count = 6, steps = 8;
        var data = DataFor(spec, new Random(5), count, steps);
        using var backend = TestBackends.Create("cpu");
        List<float[]> Masks(int seed)
        {
            var masks = new List<float[]>();
            using var model = new RecurrentAutoencoder(backend, spec, seed) { TeacherForcingDropout = 0.3f };
            model.TeacherForcingMaskHook = (scales, _, _) => masks.Add(scales.ToArray());
            using var device = model.Upload(data);
            for (int i = 0; i < 3; i++) model.TrainStep(device, device.Identity, 0, count);
            return masks;
        }
        var first = Masks(11);
        Assert.Equal(3, first.Count);
        Assert.All(first, m => Assert.Equal((steps - 1) * count, m.Length));
        Assert.NotEqual(first[0], first[1]);
        Assert.Equal(first, Masks(11));
        Assert.NotEqual(first[0], Masks(12)[0]);
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void A_resumed_model_draws_the_masks_of_an_uninterrupted_run(string backendName)
    {
        var spec = TeacherForcingTests.Spec(OutputHead.Softmax, reverse: false);
        int count = 5;
        var data = DataFor(spec, new Random(9), count, steps: 6);
        using var backend = TestBackends.Create(backendName);
        using var whole = new RecurrentAutoencoder(backend, spec, 21) { TeacherForcingDropout = 0.4f };
        using (var device = whole.Upload(data))
            for (int i = 0; i < 4; i++) whole.TrainStep(device, device.Identity, 0, count);

        float[] parameters;
        OptimizerState state;
        using (var first = new RecurrentAutoencoder(backend, spec, 21) { TeacherForcingDropout = 0.4f })
        using (var device = first.Upload(data))
        {
            for (int i = 0; i < 2; i++) first.TrainStep(device, device.Identity, 0, count);
            parameters = first.GetParameters();
            state = first.GetOptimizerState();
        }
        using var resumed = new RecurrentAutoencoder(backend, spec, 21) { TeacherForcingDropout = 0.4f };
        resumed.SetParameters(parameters);
        resumed.SetOptimizerState(state);
        using (var device = resumed.Upload(data))
            for (int i = 0; i < 2; i++) resumed.TrainStep(device, device.Identity, 0, count);
        Assert.Equal(Bits(whole.GetParameters()), Bits(resumed.GetParameters()));
    }

    [Fact]
    public void Settings_are_checked_and_kept_in_the_checkpoints_training_options()
    {
        using var backend = TestBackends.Create("cpu");
        using var plain = new RecurrentAutoencoder(backend, ModelTestData.SmallSpec, 1);
        Assert.Throws<InvalidOperationException>(() => plain.TeacherForcingDropout = 0.1f);
        plain.TeacherForcingDropout = 0f;
        using var model = new RecurrentAutoencoder(backend, TeacherForcingTests.Spec(OutputHead.Softmax, false), 1);
        foreach (float bad in new[] { -0.1f, 1.5f, float.NaN })
            Assert.Throws<ArgumentOutOfRangeException>(() => model.TeacherForcingDropout = bad);
        foreach (float bad in new[] { -0.1f, 1f, float.NaN })
            Assert.Equal(nameof(TrainingOptions.TeacherForcingDropout), Assert.Throws<InvalidTrainingOptionException>(() => new TrainingOptions(TeacherForcingDropout: bad).Validate()).Setting);

        var data = new SequenceDataset(new float[2 * 3 * 3], 2, 3, 3);
        using var device = plain.Upload(data);
        Assert.Throws<ArgumentException>(() => new Trainer(plain, device, device, new TrainingOptions(TeacherForcingDropout: 0.2f)));
        using var tfDevice = model.Upload(data);
        var trainer = new Trainer(model, tfDevice, tfDevice, new TrainingOptions(Epochs: 1, MaxStepsPerEpoch: 1, TeacherForcingDropout: 0.2f));
        trainer.Run(CancellationToken.None);
        Assert.Equal(0.2f, model.TeacherForcingDropout);

        var dir = TestIdx.TempDir();
        var options = new TrainingOptions(TeacherForcingDropout: 0.25f);
        Checkpoint.Save(Path.Combine(dir, Checkpoint.FileName), model, options, TrainingPosition.Start);
        Assert.Equal(options, Checkpoint.Load(dir).Options);
        Checkpoint.Save(Path.Combine(dir, Checkpoint.FileName), model, new TrainingOptions(), TrainingPosition.Start);
        Assert.Equal(0f, Checkpoint.Load(dir).Options!.TeacherForcingDropout);
        // training options written before the setting existed
        var snake = new System.Text.Json.JsonSerializerOptions { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower };
        var old = System.Text.Json.JsonSerializer.Deserialize<TrainingOptions>("{\"epochs\":3,\"batch_size\":8,\"learning_rate\":0.01,\"seed\":4,\"max_steps_per_epoch\":null}", snake)!;
        Assert.Equal(new TrainingOptions(3, 8, 0.01f, 4), old);
    }
}

using Xunit.Abstractions;

namespace RecurrentAE.Tests.Model;

public class AutoencoderTests(ITestOutputHelper output)
{
    [Fact]
    public void Reference_model_has_the_keras_names_shapes_and_count()
    {
        using var backend = TestBackends.Create("cpu");
        using var model = new RecurrentAutoencoder(backend, AutoencoderSpec.Reference, seed: 1, maxBatch: 4);
        Assert.Equal(122_548, model.ParameterCount);
        var shapes = model.Parameters.ToDictionary(p => p.Name, p => p.ShapeText);
        Assert.Equal("(28, 400)", shapes["encoder.lstm0.kernel"]);
        Assert.Equal("(100, 400)", shapes["encoder.lstm0.recurrent_kernel"]);
        Assert.Equal("(400)", shapes["encoder.lstm0.bias"]);
        Assert.Equal("(100, 120)", shapes["encoder.lstm1.kernel"]);
        Assert.Equal("(30, 120)", shapes["encoder.lstm1.recurrent_kernel"]);
        Assert.Equal("(30, 400)", shapes["decoder.lstm0.kernel"]);
        Assert.Equal("(100, 28)", shapes["decoder.dense.kernel"]);
        Assert.Equal("(28)", shapes["decoder.dense.bias"]);
        Assert.Equal(11, model.Parameters.Count);
    }

    [Fact]
    public void Initialisation_follows_keras_and_a_seed_repeats_it()
    {
        using var backend = TestBackends.Create("cpu");
        using var a = new RecurrentAutoencoder(backend, AutoencoderSpec.Reference, seed: 7, maxBatch: 4);
        using var b = new RecurrentAutoencoder(backend, AutoencoderSpec.Reference, seed: 7, maxBatch: 4);
        using var c = new RecurrentAutoencoder(backend, AutoencoderSpec.Reference, seed: 8, maxBatch: 4);
        var w = a.GetParameters();
        Assert.Equal(w, b.GetParameters());
        Assert.NotEqual(w, c.GetParameters());

        var p = a.Parameters.ToDictionary(x => x.Name);
        // glorot_uniform limit sqrt(6 / (28 + 400)), and the draws fill most of it.
        var k = w.AsSpan(p["encoder.lstm0.kernel"].Offset, p["encoder.lstm0.kernel"].Length).ToArray();
        double limit = Math.Sqrt(6.0 / (28 + 400));
        Assert.True(k.Max() <= limit && k.Min() >= -limit && k.Max() > 0.95 * limit && k.Min() < -0.95 * limit);
        // unit_forget_bias: zeros but the forget block.
        var bias = w.AsSpan(p["encoder.lstm1.bias"].Offset, 120).ToArray();
        Assert.All(bias[..30], v => Assert.Equal(0f, v));
        Assert.All(bias[30..60], v => Assert.Equal(1f, v));
        Assert.All(bias[60..], v => Assert.Equal(0f, v));
        // orthogonal (U, 4U): orthonormal rows, so R R^T = I.
        var r = p["encoder.lstm1.recurrent_kernel"];
        double worst = 0;
        for (int i = 0; i < 30; i++)
            for (int j = 0; j < 30; j++)
            {
                double dot = 0;
                for (int q = 0; q < 120; q++) dot += w[r.Offset + i * 120 + q] * w[r.Offset + j * 120 + q];
                worst = Math.Max(worst, Math.Abs(dot - (i == j ? 1 : 0)));
            }
        Assert.True(worst < 1e-5, $"R R^T differs from I by {worst}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(28)]
    [InlineData(50)]
    public void Encoder_takes_any_sequence_length(int steps)
    {
        int seed = ModelTestData.FreshSeed();
        var spec = ModelTestData.SmallSpec;
        using var backend = TestBackends.Create("cpu");
        using var model = new RecurrentAutoencoder(backend, spec, seed, maxBatch: 2);
        var data = ModelTestData.RandomSequences(new Random(seed), 3, steps, spec.Features); // 3 > maxBatch: chunked
        var codes = model.Encode(data, 3, steps);
        Assert.Equal(3 * spec.CodingSize, codes.Length);
        Assert.All(codes, v => Assert.True(float.IsFinite(v) && Math.Abs(v) < 1));
        // A sequence encodes the same alone as inside a batch.
        var alone = model.Encode(data.AsSpan(2 * steps * spec.Features, steps * spec.Features), 1, steps);
        for (int i = 0; i < alone.Length; i++) Assert.Equal(codes[2 * spec.CodingSize + i], alone[i], 5e-6);
        // Reconstruct is Decode(Encode(x)).
        var rec = model.Reconstruct(data, 3, steps);
        var dec = model.Decode(codes, 3, steps);
        Assert.Equal(3 * steps * spec.Features, rec.Length);
        for (int i = 0; i < rec.Length; i++) Assert.Equal(rec[i], dec[i], 5e-6);
    }

    /// <summary>Smooth periodic patterns in [0, 1]: learnable structure.</summary>
    private static float[] Waves(int seed, int count, int steps, int features)
    {
        var random = new Random(seed);
        var values = new float[count * steps * features];
        for (int n = 0; n < count; n++)
        {
            double phase = random.NextDouble() * Math.PI * 2, freq = 0.5 + random.NextDouble();
            for (int t = 0; t < steps; t++)
                for (int f = 0; f < features; f++)
                    values[(n * steps + t) * features + f] = (float)(0.5 + 0.45 * Math.Sin(phase + freq * t + f));
        }
        return values;
    }

    /// <summary>ILGPU's CPU accelerator is far too slow for the training run below, so it must follow the SIMD backend's
    /// trajectory step for step instead: same seed, same batches, weights that agree to float32 rounding after several Adam steps.</summary>
    [Fact]
    public void Ilgpu_cpu_training_follows_the_cpu_backend_step_for_step()
    {
        var spec = new AutoencoderSpec(3, [6, 2], [5]);
        int count = 8, steps = 5;
        var values = Waves(ModelTestData.FreshSeed(), count, steps, spec.Features);
        float[] Train(string name)
        {
            using var backend = TestBackends.Create(name);
            using var model = new RecurrentAutoencoder(backend, spec, seed: 5, maxBatch: 4);
            using var data = model.Upload(new SequenceDataset(values, count, steps, spec.Features));
            var trainer = new Trainer(model, data, data, new TrainingOptions(Epochs: 3, BatchSize: 4, LearningRate: 0.01f, Seed: 9));
            Assert.True(trainer.Run(CancellationToken.None));
            return model.GetParameters();
        }
        var cpu = Train("cpu");
        var ilgpu = Train("ilgpu-cpu");
        using var reference = new RecurrentAutoencoder(TestBackends.Create("cpu"), spec, seed: 5, maxBatch: 4);
        var initial = reference.GetParameters();
        double moved = cpu.Zip(initial).Max(p => Math.Abs(p.First - p.Second));
        double diff = cpu.Zip(ilgpu).Max(p => Math.Abs(p.First - p.Second));
        output.WriteLine($"6 Adam steps: weights moved up to {moved:E2}; cpu and ilgpu-cpu differ by at most {diff:E2}");
        Assert.True(moved > 0.01, "training did not move the weights");
        Assert.True(diff < 1e-4, $"the backends' weights differ by {diff} after training");
    }

    [Fact]
    public void Short_training_on_synthetic_sequences_lowers_the_loss()
    {
        const string backendName = "cpu";
        int seed = 12345;
        var spec = new AutoencoderSpec(4, [8, 3], [8]);
        int count = 24, steps = 6;
        var values = Waves(seed, count, steps, spec.Features);
        using var backend = TestBackends.Create(backendName);
        using var model = new RecurrentAutoencoder(backend, spec, seed, maxBatch: 8);
        using var train = model.Upload(new SequenceDataset(values, count, steps, spec.Features));
        double before = model.Evaluate(train);
        var trainer = new Trainer(model, train, train, new TrainingOptions(Epochs: 40, BatchSize: 8, LearningRate: 0.02f, Seed: seed));
        var curve = new List<double>();
        trainer.EpochCompleted = r => curve.Add(r.ValLoss);
        Assert.True(trainer.Run(CancellationToken.None));
        double after = model.Evaluate(train);
        output.WriteLine($"{backendName}: loss {before:F4} -> {after:F4}; curve every 5 epochs: " +
            string.Join(" ", curve.Where((_, i) => i % 5 == 4).Select(v => v.ToString("F4"))));
        // The floor is the entropy of the targets (BCE of y against itself), about 0.55 for these values:
        // the part above it must shrink by at least 4x.
        double floor = values.Average(y => y <= 0 || y >= 1 ? 0 : -(y * Math.Log(y) + (1 - y) * Math.Log(1 - y)));
        Assert.True(after - floor < (before - floor) / 4, $"loss {before} -> {after}, floor {floor}");
    }
}

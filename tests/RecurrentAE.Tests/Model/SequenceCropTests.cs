using RecurrentAE.Kernels;
using RecurrentAE.Model;
using Xunit.Abstractions;

namespace RecurrentAE.Tests.Model;

/// <summary>Random-crop augmentation (<see cref="SequenceCrops"/>, <see cref="TrainingOptions.CropProbability"/>).</summary>
public sealed class SequenceCropTests(ITestOutputHelper output)
{
    [Fact]
    public void Crops_are_at_least_half_as_long_fit_their_sequence_come_at_the_rate_and_repeat()
    {
        int seed = ModelTestData.FreshSeed();
        const float p = 0.6f;
        int cropped = 0, draws = 0;
        var seenLengths = new HashSet<int>();
        for (int length = 1; length <= 40; length++)
            for (int k = 0; k < 500; k++)
            {
                int index = length * 1000 + k; // a draw of its own for every (length, k): 19,500 independent draws
                var (start, n) = SequenceCrops.Draw(seed, 3, index, length, p);
                Assert.InRange(n, (length + 1) / 2, length);
                Assert.InRange(start, 0, length - n);
                Assert.Equal((start, n), SequenceCrops.Draw(seed, 3, index, length, p));
                if (length == 30) seenLengths.Add(n);
                if (length >= 2) { draws++; if (n < length) cropped++; }
            }
        // a crop of full length is drawn with probability 1/(L - ceil(L/2) + 1): count crops by their draw, not by their length
        double expected = 0;
        for (int length = 2; length <= 40; length++) expected += 500 * p * (1 - 1.0 / (length - (length + 1) / 2 + 1));
        output.WriteLine($"seed {seed}: {cropped} of {draws} shortened, expected {expected:F0}");
        Assert.InRange(cropped, expected * 0.95, expected * 1.05); // the count's deviation is about 0.8%
        Assert.Equal(16, seenLengths.Count); // 15..30
        Assert.Equal((0, 7), SequenceCrops.Draw(seed, 3, 0, 7, 0f));
        var epochs = Enumerable.Range(0, 20).Select(e => SequenceCrops.Draw(seed, e, 5, 40, 1f)).Distinct().Count();
        Assert.True(epochs > 10, $"seed {seed}: {epochs} distinct crops over 20 epochs");
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void An_epoch_with_crops_is_an_epoch_on_the_cropped_sequences_and_the_data_comes_back_unchanged(string backendName)
    {
        var (seed, data, spec, options) = FreshRagged(epochs: 1, batchSize: 3, cropProbability: 1f);
        using var backend = TestBackends.Create(backendName);

        using var augmented = new RecurrentAutoencoder(backend, spec, seed);
        float[] original, after;
        int[] lengthsAfter;
        using (var device = augmented.Upload(data))
        {
            original = Values(backend, device);
            new Trainer(augmented, device, device, options).Run(CancellationToken.None);
            after = Values(backend, device);
            lengthsAfter = [.. device.Lengths!];
        }
        Assert.Equal(original, after);
        Assert.Equal(data.Lengths, lengthsAfter);

        // the same epoch on a data set holding epoch 0's crops, without the option
        var cropped = Cropped(data, seed);
        Assert.Contains(cropped.Lengths!, n => n < data.Steps);
        using var plain = Trained(backend, spec, seed, cropped, options with { CropProbability = 0 });
        Assert.Equal(plain.GetParameters(), augmented.GetParameters());
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void A_resumed_run_crops_what_an_uninterrupted_one_would(string backendName)
    {
        var (seed, data, spec, options) = FreshRagged(epochs: 3, batchSize: 4, cropProbability: 0.7f);
        using var backend = TestBackends.Create(backendName);

        using var whole = Trained(backend, spec, seed, data, options);

        using var first = new RecurrentAutoencoder(backend, spec, seed);
        var history = new List<EpochResult>();
        TrainingPosition position;
        using (var device = first.Upload(data))
        {
            var trainer = new Trainer(first, device, device, options with { Epochs = 1 });
            trainer.Run(CancellationToken.None);
            history.AddRange(trainer.History);
            position = trainer.Position;
        }
        using var resumed = new RecurrentAutoencoder(backend, spec, seed);
        resumed.SetParameters(first.GetParameters());
        resumed.SetOptimizerState(first.GetOptimizerState());
        using (var device = resumed.Upload(data))
        {
            var trainer = new Trainer(resumed, device, device, options) { Position = position };
            trainer.History.AddRange(history);
            trainer.Run(CancellationToken.None);
        }
        Assert.Equal(whole.GetParameters(), resumed.GetParameters());
    }

    [Fact]
    public void The_probability_is_checked()
    {
        foreach (float bad in new[] { -0.1f, 1.5f, float.NaN })
            Assert.Equal(nameof(TrainingOptions.CropProbability),
                Assert.Throws<InvalidTrainingOptionException>(() => new TrainingOptions(CropProbability: bad).Validate()).Setting);
    }

    /// <summary>Equal-length sequences and a reversed decoder (targets read back to front over the whole length): the
    /// crops get targets reversed within their own lengths, as if the cropped set had been given.</summary>
    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void Equal_lengths_with_a_reversed_decoder_train_on_their_crops(string backendName)
    {
        int seed = ModelTestData.FreshSeed();
        var spec = ModelTestData.SmallSpec with { ReverseOutput = true };
        int count = 6, steps = 8;
        var data = new SequenceDataset(ModelTestData.RandomSequences(new Random(seed), count, steps, spec.Features), count, steps, spec.Features);
        var options = new TrainingOptions(Epochs: 1, BatchSize: 3, Seed: seed, CropProbability: 1f);
        using var backend = TestBackends.Create(backendName);
        using var augmented = Trained(backend, spec, seed, data, options);
        using var plain = Trained(backend, spec, seed, Cropped(data, seed), options with { CropProbability = 0 });
        Assert.Equal(plain.GetParameters(), augmented.GetParameters());
    }

    /// <summary>A fresh seed, a ragged set drawn from it (the first sequence full, the others 2 to 9 steps) and training
    /// options of that seed with random crops.</summary>
    static (int Seed, SequenceDataset Data, AutoencoderSpec Spec, TrainingOptions Options) FreshRagged(int epochs, int batchSize, float cropProbability)
    {
        int seed = ModelTestData.FreshSeed();
        var random = new Random(seed);
        var spec = ModelTestData.SmallSpec;
        int count = 7, steps = 9;
        var lengths = Enumerable.Range(0, count).Select(_ => random.Next(2, steps + 1)).ToArray();
        lengths[0] = steps;
        var values = ModelTestData.RandomSequences(random, count, steps, spec.Features);
        ModelTestData.ZeroPadding(values, steps, spec.Features, lengths);
        var options = new TrainingOptions(Epochs: epochs, BatchSize: batchSize, Seed: seed, CropProbability: cropProbability);
        return (seed, new SequenceDataset(values, count, steps, spec.Features, lengths: lengths), spec, options);
    }

    /// <summary>A model of <paramref name="seed"/> trained on <paramref name="data"/> with <paramref name="options"/>.</summary>
    static RecurrentAutoencoder Trained(IComputeBackend backend, AutoencoderSpec spec, int seed, SequenceDataset data, TrainingOptions options)
    {
        var model = new RecurrentAutoencoder(backend, spec, seed);
        using (var device = model.Upload(data)) new Trainer(model, device, device, options).Run(CancellationToken.None);
        return model;
    }

    /// <summary>Epoch 0's crops (p = 1) of <paramref name="data"/>, written as a data set of the same padded length.</summary>
    static SequenceDataset Cropped(SequenceDataset data, int seed)
    {
        var values = new float[data.Values.Length];
        var lengths = new int[data.Count];
        int size = data.Steps * data.Features;
        for (int i = 0; i < data.Count; i++)
        {
            var (start, n) = SequenceCrops.Draw(seed, 0, i, data.LengthOf(i), 1f);
            data.Values.AsSpan(i * size + start * data.Features, n * data.Features).CopyTo(values.AsSpan(i * size));
            lengths[i] = n;
        }
        return new SequenceDataset(values, data.Count, data.Steps, data.Features, lengths: lengths);
    }

    static float[] Values(IComputeBackend backend, DeviceDataset device)
    {
        var values = new float[device.Count * device.Steps * device.Features];
        backend.Download(device.Data.Slice(0, values.Length), values);
        return values;
    }
}

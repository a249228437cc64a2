using RecurrentAE.Kernels;
using RecurrentAE.Model;
using RecurrentAE.Model.Text;
using Xunit.Abstractions;

namespace RecurrentAE.Tests.Model;

/// <summary>Per-epoch augmentation: random crops (<see cref="SequenceCrops"/>, <see cref="TrainingOptions.CropProbability"/>) and
/// random splices (<see cref="SequenceSplices"/>, <see cref="TrainingOptions.SpliceProbability"/>).</summary>
public sealed class SequenceAugmentationTests(ITestOutputHelper output)
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
    public void A_resumed_run_crops_and_splices_what_an_uninterrupted_one_would(string backendName)
    {
        var (seed, data, spec, cropOnly) = FreshRagged(epochs: 3, batchSize: 4, cropProbability: 0.7f);
        using var backend = TestBackends.Create(backendName);
        foreach (var options in new[] { cropOnly, cropOnly with { CropProbability = 0.5f, SpliceProbability = 0.6f, BucketByLength = true } })
        {
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
    }

    [Fact]
    public void The_probability_is_checked()
    {
        foreach (float bad in new[] { -0.1f, 1.5f, float.NaN })
        {
            Assert.Equal(nameof(TrainingOptions.CropProbability),
                Assert.Throws<InvalidTrainingOptionException>(() => new TrainingOptions(CropProbability: bad).Validate()).Setting);
            Assert.Equal(nameof(TrainingOptions.SpliceProbability),
                Assert.Throws<InvalidTrainingOptionException>(() => new TrainingOptions(SpliceProbability: bad).Validate()).Setting);
        }
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

    [Fact]
    public void Words_are_the_runs_between_separators_or_single_steps_without_one()
    {
        var vocabulary = Vocabulary.Build(["ab cd  e "]);
        var data = OneHot.Encode(["ab cd  e ", "xy"], vocabulary);
        Assert.Equal(vocabulary.IndexOf(new System.Text.Rune(' ')), data.WordSeparator);
        Assert.Equal([(0, 2), (3, 2), (7, 1)], SequenceSplices.Words(data.Sequence(0), data.LengthOf(0), data.Features, data.WordSeparator));
        Assert.Equal([(0, 1), (1, 1)], SequenceSplices.Words(data.Sequence(1), data.LengthOf(1), data.Features, null));
        Assert.Null(OneHot.Encode(["xy"], Vocabulary.Build(["xy"])).WordSeparator);
    }

    [Fact]
    public void A_splice_starts_with_its_own_words_joins_whole_words_fits_and_repeats()
    {
        int seed = ModelTestData.FreshSeed();
        var random = new Random(seed);
        const int steps = 40;
        var lines = Enumerable.Range(0, 200).Select(_ => RandomLine(random, random.Next(3, steps + 1))).ToList();
        var data = OneHot.Encode(lines, Vocabulary.Build(lines));
        var words = Enumerable.Range(0, data.Count).Select(i => SequenceSplices.Words(data.Sequence(i), data.LengthOf(i), data.Features, data.WordSeparator)).ToList();
        var lengths = new List<int>();
        int many = 0;
        for (int i = 0; i < data.Count; i++)
        {
            var parts = SequenceSplices.Draw(seed, 5, i, words, data.LengthOf, data.Steps, separated: true);
            Assert.Equal(parts, SequenceSplices.Draw(seed, 5, i, words, data.LengthOf, data.Steps, separated: true));
            Assert.NotEmpty(parts);
            Assert.Equal(i, parts[0].Item);
            foreach (var p in parts)
            {
                var text = lines[p.Item];
                Assert.True(p.Start == 0 || text[p.Start - 1] == ' ', $"seed {seed}: a part starts inside a word");
                Assert.True(p.Start + p.Length == text.Length || text[p.Start + p.Length] == ' ', $"seed {seed}: a part ends inside a word");
                Assert.NotEqual(' ', text[p.Start]);
            }
            int length = parts.Sum(p => p.Length) + parts.Count - 1;
            Assert.InRange(length, 1, steps);
            lengths.Add(length);
            if (parts.Count > 1) many++;
        }
        output.WriteLine($"seed {seed}: mean splice length {lengths.Average():F1} (lines {lines.Average(l => l.Length):F1}); {many} of {data.Count} join several lines");
        Assert.InRange(lengths.Average(), lines.Average(l => l.Length) * 0.7, lines.Average(l => l.Length) * 1.3);
        Assert.True(many > data.Count / 2, $"seed {seed}: only {many} splices join several lines");
        int chosen = Enumerable.Range(0, 20_000).Count(i => SequenceSplices.Chosen(seed, 1, i, 0.3f));
        Assert.InRange(chosen, 6000 * 0.95, 6000 * 1.05);
        Assert.False(SequenceSplices.Chosen(seed, 1, 0, 0f));
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void An_epoch_with_splices_is_an_epoch_on_the_spliced_text_and_the_data_comes_back_unchanged(string backendName)
    {
        int seed = ModelTestData.FreshSeed();
        var random = new Random(seed);
        var lines = Enumerable.Range(0, 9).Select(_ => RandomLine(random, random.Next(3, 12))).ToList();
        var vocabulary = Vocabulary.Build(lines);
        var data = OneHot.Encode(lines, vocabulary);
        var spec = new AutoencoderSpec(data.Features, [5], [6], OutputHead.Softmax, TeacherForcing: true);
        var options = new TrainingOptions(Epochs: 1, BatchSize: 4, Seed: seed, SpliceProbability: 1f);
        using var backend = TestBackends.Create(backendName);

        using var augmented = new RecurrentAutoencoder(backend, spec, seed);
        float[] before, after;
        using (var device = augmented.Upload(data))
        {
            before = Values(backend, device);
            new Trainer(augmented, device, device, options).Run(CancellationToken.None);
            after = Values(backend, device);
            Assert.Equal(data.Lengths, device.Lengths);
        }
        Assert.Equal(before, after);

        // the same epoch on the spliced lines written out as text, without the option
        var words = Enumerable.Range(0, data.Count).Select(i => SequenceSplices.Words(data.Sequence(i), data.LengthOf(i), data.Features, data.WordSeparator)).ToList();
        var spliced = Enumerable.Range(0, data.Count).Select(i => string.Join(' ',
            SequenceSplices.Draw(seed, 0, i, words, data.LengthOf, data.Steps, separated: true).Select(p => lines[p.Item].Substring(p.Start, p.Length)))).ToList();
        Assert.Contains(spliced, s => !lines.Contains(s));
        var splicedData = OneHot.Encode(spliced, vocabulary);
        var padded = new float[data.Values.Length];
        for (int i = 0; i < data.Count; i++) splicedData.Sequence(i).CopyTo(padded.AsSpan(i * data.SequenceLength));
        var lengths = Enumerable.Range(0, data.Count).Select(splicedData.LengthOf).ToArray();
        using var plain = Trained(backend, spec, seed, new SequenceDataset(padded, data.Count, data.Steps, data.Features, lengths: lengths),
            options with { SpliceProbability = 0 });
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

    static string RandomLine(Random random, int length)
    {
        var chars = new char[length];
        for (int i = 0; i < length; i++) chars[i] = random.NextDouble() < 0.2 ? ' ' : (char)('a' + random.Next(6));
        chars[0] = 'a'; // not all spaces
        return new string(chars);
    }

    static float[] Values(IComputeBackend backend, DeviceDataset device)
    {
        var values = new float[device.Count * device.Steps * device.Features];
        backend.Download(device.Data.Slice(0, values.Length), values);
        return values;
    }
}

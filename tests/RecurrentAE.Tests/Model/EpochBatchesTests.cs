using RecurrentAE.Kernels;
using RecurrentAE.Model;
using RecurrentAE.Model.Text;
using Xunit.Abstractions;

namespace RecurrentAE.Tests.Model;

/// <summary>What an epoch trains on: random crops (<see cref="SequenceCrops"/>, <see cref="TrainingOptions.CropProbability"/>),
/// random splices (<see cref="SequenceSplices"/>, <see cref="TrainingOptions.SpliceProbability"/>), length-bucketed
/// batches (<see cref="EpochShuffle.Bucketed"/>, <see cref="TrainingOptions.BucketByLength"/>) and batches trimmed to
/// their longest sequence.</summary>
public sealed class EpochBatchesTests(ITestOutputHelper output)
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
        // a splice grows until it reaches a random line's length, so it passes it by part of its last part: ~1.25x the
        // lines' mean here (1.33 seen in 2 of 25 runs, which a bound of 1.3 failed); one part alone would be ~0.6x, and
        // splices that ran to the 40-step cap ~1.9x
        Assert.InRange(lengths.Average(), lines.Average(l => l.Length) * 0.9, lines.Average(l => l.Length) * 1.6);
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

    /// <summary>The augmentation keeps its copy compact (one symbol a step) for one-hot text and as floats otherwise, and
    /// writes an epoch a chunk of items at a time: chunks of 1, 2 and 3 items give what one chunk of the whole set gives,
    /// bit for bit, and restoring gives the set back.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void An_epoch_written_in_chunks_is_the_epoch_written_at_once_and_text_is_kept_compact(bool text)
    {
        int seed = ModelTestData.FreshSeed();
        var random = new Random(seed);
        SequenceDataset data;
        if (text)
        {
            var lines = Enumerable.Range(0, 11).Select(_ => RandomLine(random, random.Next(3, 12))).ToList();
            data = OneHot.Encode(lines, Vocabulary.Build(lines));
        }
        else
        {
            var (_, ragged, _, _) = FreshRagged(1, 4, 1f);
            data = ragged;
        }
        using var backend = BackendFactory.Create("cpu", threads: 1);
        using var model = new RecurrentAutoencoder(backend, new AutoencoderSpec(data.Features, [3], [3]), seed);
        var original = (float[])data.Values.Clone();
        (float[] Values, int[] Lengths, bool Compact) Epoch(int? chunkItems, bool restore)
        {
            // a fresh set each time: the CPU backend trains on the host array in place
            var fresh = new SequenceDataset((float[])original.Clone(), data.Count, data.Steps, data.Features,
                lengths: data.IsRagged ? [.. data.Lengths!] : null) { WordSeparator = data.WordSeparator };
            using var device = model.Upload(fresh);
            var augmentation = new SequenceAugmentation(backend, device, 0.8f, text ? 0.9f : 0.5f, seed, chunkItems);
            augmentation.Apply(3);
            if (restore) augmentation.Restore();
            return (Values(backend, device), (int[])device.Lengths!.Clone(), new PackedSequences(backend, device.Data, device.Count, device.Steps, device.Features, 2).IsCompact);
        }
        var whole = Epoch(null, restore: false);
        Assert.Equal(text, whole.Compact);
        Assert.NotEqual(original, whole.Values); // the epoch changed something
        foreach (int chunk in new[] { 1, 2, 3 })
        {
            var chunked = Epoch(chunk, restore: false);
            Assert.Equal(whole.Lengths, chunked.Lengths);
            Assert.Equal(whole.Values.Select(BitConverter.SingleToInt32Bits), chunked.Values.Select(BitConverter.SingleToInt32Bits));
            var restored = Epoch(chunk, restore: true);
            Assert.Equal(original, restored.Values);
            Assert.Equal(Enumerable.Range(0, data.Count).Select(data.LengthOf), restored.Lengths);
        }
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

    [Fact]
    public void Buckets_permute_the_epoch_into_batches_of_about_one_length()
    {
        int seed = ModelTestData.FreshSeed();
        var random = new Random(seed);
        const int batchSize = 8, count = 1000; // two buckets of 400 and one of 200, a last batch of none
        foreach (int n in new[] { count, count - 3 })
        {
            var lengths = Enumerable.Range(0, n).Select(_ => random.Next(1, 41)).ToArray();
            var shuffled = EpochShuffle.Order(seed, 2, n);
            var bucketed = EpochShuffle.Bucketed(shuffled, i => lengths[i], batchSize, seed, 2);
            Assert.Equal(Enumerable.Range(0, n), bucketed.Order());
            Assert.Equal(bucketed, EpochShuffle.Bucketed(shuffled, i => lengths[i], batchSize, seed, 2));
            int bucketSize = EpochShuffle.BucketBatches * batchSize;
            for (int from = 0; from < n; from += bucketSize)
            {
                int size = Math.Min(bucketSize, n - from);
                // the bucket's items sorted by length (ties in shuffled order), cut into batches: the full ones in some
                // order, a short one last
                var sorted = shuffled.Skip(from).Take(size).OrderBy(i => lengths[i]).ToArray();
                var want = sorted.Chunk(batchSize).Select(c => string.Join(',', c)).ToList();
                var got = bucketed.Skip(from).Take(size).Chunk(batchSize).Select(c => string.Join(',', c)).ToList();
                int full = size / batchSize;
                Assert.Equal(want.Take(full).Order(), got.Take(full).Order());
                Assert.Equal(want.Skip(full), got.Skip(full));
                // 400 (or 200) lengths in 1..40: ~10 (~5) of each, so a batch spans one or two lengths. One batch may span
                // more where a length happens to be missing, so the mean: <= 1.63 in 100,000 simulated buckets of 197-400,
                // against ~30 for batches of unsorted lengths
                double spread = bucketed.Skip(from).Take(full * batchSize).Chunk(batchSize)
                    .Average(c => c.Max(i => lengths[i]) - c.Min(i => lengths[i]));
                Assert.True(spread <= 2, $"seed {seed}: a bucket's batches span {spread} lengths on average");
            }
            long plain = MaxSteps(shuffled, lengths, batchSize), trimmed = MaxSteps(bucketed, lengths, batchSize);
            output.WriteLine($"seed {seed}, n {n}: LSTM steps an epoch {plain} shuffled, {trimmed} bucketed");
            Assert.True(trimmed < 0.7 * plain, $"seed {seed}: bucketed batches run {trimmed} steps, shuffled {plain}");
        }
        // the batch order within a bucket changes with the epoch
        var ls = Enumerable.Range(0, 400).Select(i => 1 + i % 40).ToArray();
        Assert.NotEqual(EpochShuffle.Bucketed([.. Enumerable.Range(0, 400)], i => ls[i], 8, seed, 0),
            EpochShuffle.Bucketed([.. Enumerable.Range(0, 400)], i => ls[i], 8, seed, 1));
    }

    /// <summary>A trimmed batch adds exact zeros less: training on a ragged set is the same bit for bit with and without
    /// trimming, for a plain, a reversed-output and a teacher-forced model with previous-step dropout and input noise.</summary>
    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void Trimmed_batches_train_to_the_same_bits(string backendName)
    {
        int seed = ModelTestData.FreshSeed();
        var random = new Random(seed);
        using var backend = TestBackends.Create(backendName);
        int count = 10, steps = 12;
        var lengths = Enumerable.Range(0, count).Select(_ => random.Next(2, 8)).ToArray(); // every batch far shorter than 12
        lengths[3] = 9;
        foreach (var (spec, options) in new[]
        {
            (ModelTestData.SmallSpec, new TrainingOptions(Epochs: 2, BatchSize: 4, Seed: seed)),
            (ModelTestData.SmallSpec with { ReverseOutput = true }, new TrainingOptions(Epochs: 2, BatchSize: 4, Seed: seed, InputNoise: 0.1f)),
            (ModelTestData.SmallSpec with { TeacherForcing = true }, new TrainingOptions(Epochs: 2, BatchSize: 4, Seed: seed, TeacherForcingDropout: 0.3f, BucketByLength: true)),
        })
        {
            var values = ModelTestData.RandomSequences(random, count, steps, spec.Features);
            ModelTestData.ZeroPadding(values, steps, spec.Features, lengths);
            var data = new SequenceDataset(values, count, steps, spec.Features, lengths: lengths);
            using var trimmed = new RecurrentAutoencoder(backend, spec, seed);
            using var full = new RecurrentAutoencoder(backend, spec, seed) { TrimBatches = false };
            foreach (var model in new[] { trimmed, full })
                using (var device = model.Upload(data)) new Trainer(model, device, device, options).Run(CancellationToken.None);
            Assert.Equal(full.GetParameters(), trimmed.GetParameters());
        }
    }

    /// <summary>A bucketed batch's loss is its sum over the epoch's mean values a batch: with the batch's own count it is
    /// the plain step bit for bit; with twice the count the loss halves.</summary>
    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void A_batch_loss_over_a_given_count_of_values(string backendName)
    {
        Assert.Equal(50, EpochShuffle.MeanValuesPerBatch([10, 20, 30, 40], 2));
        Assert.Equal(100, EpochShuffle.MeanValuesPerBatch([10, 20, 30, 40], 8)); // a batch larger than the set holds all of it
        int seed = ModelTestData.FreshSeed();
        var random = new Random(seed);
        var spec = ModelTestData.SmallSpec;
        int count = 5, steps = 7;
        var lengths = Enumerable.Range(0, count).Select(_ => random.Next(1, steps + 1)).ToArray();
        var values = ModelTestData.RandomSequences(random, count, steps, spec.Features);
        ModelTestData.ZeroPadding(values, steps, spec.Features, lengths);
        var data = new SequenceDataset(values, count, steps, spec.Features, lengths: lengths);
        using var backend = TestBackends.Create(backendName);
        using var plain = new RecurrentAutoencoder(backend, spec, seed);
        using var given = new RecurrentAutoencoder(backend, spec, seed);
        using var doubled = new RecurrentAutoencoder(backend, spec, seed);
        float[] losses = new float[3];
        int i = 0;
        foreach (var (model, lossValues) in new[] { (plain, (long?)null), (given, lengths.Sum()), (doubled, 2L * lengths.Sum()) })
        {
            using var device = model.Upload(data);
            losses[i++] = model.TrainStep(device, device.Identity, 0, count, lossValues);
        }
        Assert.Equal(plain.GetParameters(), given.GetParameters());
        Assert.Equal(losses[0], losses[1]);
        Assert.Equal(losses[0] / 2, losses[2], losses[0] * 1e-6f);
        Assert.NotEqual(plain.GetParameters(), doubled.GetParameters());
    }

    static long MaxSteps(int[] order, int[] lengths, int batchSize)
    {
        long total = 0;
        for (int b = 0; b < order.Length; b += batchSize)
            total += order.AsSpan(b, Math.Min(batchSize, order.Length - b)).ToArray().Max(i => lengths[i]);
        return total;
    }
}

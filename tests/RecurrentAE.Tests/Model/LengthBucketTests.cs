using RecurrentAE.Kernels;
using RecurrentAE.Model;
using Xunit.Abstractions;

namespace RecurrentAE.Tests.Model;

/// <summary>Length-bucketed batches (<see cref="EpochShuffle.Bucketed"/>, <see cref="TrainingOptions.BucketByLength"/>) and
/// training batches trimmed to their longest sequence.</summary>
public sealed class LengthBucketTests(ITestOutputHelper output)
{
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
                Assert.All(bucketed.Skip(from).Take(size).Chunk(batchSize),
                    c => Assert.InRange(c.Max(i => lengths[i]) - c.Min(i => lengths[i]), 0, 3)); // 400 lengths in 1..40: ~10 of each
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

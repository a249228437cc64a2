namespace RecurrentAE.Model.Training;

/// <summary>The order of the training sequences in an epoch: a pure function of (seed, epoch), so a resumed run sees the
/// same batches as an uninterrupted one without storing generator state.</summary>
public static class EpochShuffle
{
    /// <summary>A permutation of 0..<paramref name="count"/>-1 for <paramref name="epoch"/> (0-based), the same for the same (seed, epoch, count) on every machine.</summary>
    public static int[] Order(int seed, int epoch, int count)
    {
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        // System.Random with a seed is the stable legacy generator across .NET versions.
        var random = new Random(unchecked(seed * 1_000_003 + epoch * 7_919 + 17));
        for (int i = count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>Batches per bucket of <see cref="Bucketed"/>.</summary>
    public const int BucketBatches = 50;

    /// <summary>
    /// Length-bucketed batches (torchtext's BucketIterator, fastai's SortishSampler): <paramref name="order"/> (a shuffled
    /// epoch) is cut into buckets of <see cref="BucketBatches"/> batches, each bucket is sorted by sequence length (ties
    /// keep their shuffled order), cut into batches, and its full batches are put in a random order of (seed, epoch,
    /// bucket); a short last batch stays last. A batch then holds sequences of about one length and runs only to its
    /// longest, so ragged sets of very different lengths (lines of text) train in far fewer LSTM steps.
    /// </summary>
    public static int[] Bucketed(int[] order, Func<int, int> lengthOf, int batchSize, int seed, int epoch)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var result = new int[order.Length];
        int bucketSize = checked(BucketBatches * batchSize);
        for (int from = 0, bucket = 0; from < order.Length; from += bucketSize, bucket++)
        {
            int n = Math.Min(bucketSize, order.Length - from);
            var items = order.AsSpan(from, n).ToArray();
            var keys = items.Select((item, position) => ((long)lengthOf(item) << 32) | (uint)position).ToArray();
            Array.Sort(keys, items);
            int full = n / batchSize;
            var batches = new int[full];
            for (int b = 0; b < full; b++) batches[b] = b;
            var random = new Random(unchecked(seed * 1_000_003 + epoch * 7_919 + bucket * 104_729 + 29));
            random.Shuffle(batches);
            for (int b = 0; b < full; b++)
                items.AsSpan(batches[b] * batchSize, batchSize).CopyTo(result.AsSpan(from + b * batchSize));
            items.AsSpan(full * batchSize).CopyTo(result.AsSpan(from + full * batchSize));
        }
        return result;
    }

    /// <summary>The mean count of steps in a batch of <paramref name="batchSize"/> sequences of these lengths (at least 1):
    /// what a bucketed batch's loss is divided by (times the features) so that every step weighs the same.</summary>
    public static long MeanValuesPerBatch(IReadOnlyList<int> lengths, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        long total = 0;
        foreach (int l in lengths) total += l;
        return Math.Max(1, (long)Math.Round((double)total * Math.Min(batchSize, lengths.Count) / Math.Max(1, lengths.Count)));
    }
}

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
}

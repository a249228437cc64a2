namespace RecurrentAE.Model.Distributed;

/// <summary>A contiguous part of <c>count</c> items: the items [Start, Start + Count).</summary>
/// <param name="Start">The first item.</param>
/// <param name="Count">Items in the part (0 when there are fewer items than ranks).</param>
public readonly record struct Shard(int Start, int Count)
{
    /// <summary>The fixed rule that splits <paramref name="count"/> items (the rows of a global batch, a validation set,
    /// the sequences to score) across <paramref name="size"/> ranks: rank r takes [count r / size, count (r + 1) / size),
    /// contiguous and in order, the sizes differing by at most one.</summary>
    public static Shard Of(int count, int rank, int size)
    {
        if (size < 1 || rank < 0 || rank >= size) throw new ArgumentOutOfRangeException(nameof(rank), $"rank {rank} of {size}");
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int start = (int)((long)count * rank / size), end = (int)((long)count * (rank + 1) / size);
        return new Shard(start, end - start);
    }

    /// <summary>One past the last item.</summary>
    public int End => Start + Count;
}

namespace RecurrentAE.Kernels;

/// <summary>
/// The fixed order in which a backward pass sums parameter gradients over the rows of a batch (see docs/distributed.md).
/// The rows [0, n) form a binary tree: a range of more than <c>leafRows</c> rows splits at s + (e - s) / 2 into a left
/// and a right range whose sums are added, left + right; a range of at most <c>leafRows</c> rows is a leaf, summed in one
/// fixed order (over the steps, then its rows). <c>leafRows</c> comes from the <em>global</em> batch
/// (<see cref="LeafRowsFor"/>), and a split depends only on the range, so the sum over the rows [0, n / 2) is the same
/// whether one process sums all n rows or a data-parallel rank holds only those rows (the first of two shards): two ranks'
/// sums a + b then equal one process's bit for bit. The CPU backend follows this order exactly, at any thread count;
/// other backends may sum in their own order.
/// </summary>
public static class BatchReduction
{
    /// <summary>The tree has at most this many leaves: its root's split falls on the 2-rank shards, and a leaf's sum is
    /// one long run of fused multiply-adds (more leaves measured up to 10% slower a training step on the reference
    /// model, their partial sums moving through memory).</summary>
    public const int MaxLeaves = 2;

    /// <summary>The leaf size for a global batch of <paramref name="globalBatch"/> rows: ceil(batch / 2), at least 1.</summary>
    public static int LeafRowsFor(int globalBatch) => Math.Max(1, (globalBatch + MaxLeaves - 1) / MaxLeaves);

    /// <summary>Where the range [start, end) splits (a range of more than leafRows rows).</summary>
    public static int Middle(int start, int end) => start + (end - start) / 2;

    /// <summary>The leaves of the rows [0, <paramref name="rows"/>) in order, as (start, end) pairs.</summary>
    public static List<(int Start, int End)> Leaves(int rows, int leafRows)
    {
        var leaves = new List<(int, int)>();
        AddLeaves(0, rows, Math.Max(1, leafRows), leaves);
        return leaves;
    }

    private static void AddLeaves(int start, int end, int leafRows, List<(int, int)> leaves)
    {
        if (end - start <= leafRows)
        {
            if (end > start) leaves.Add((start, end));
            return;
        }
        int middle = Middle(start, end);
        AddLeaves(start, middle, leafRows, leaves);
        AddLeaves(middle, end, leafRows, leaves);
    }
}

/// <summary>A dense layer's parameter gradients over a time-major batch (see <see cref="IComputeBackend.DenseGradient"/>):
/// kernel += sum over steps and rows of x^T dy, bias += the sum of dy.</summary>
public readonly record struct DenseGradientArgs
{
    /// <summary>The layer's input x, (steps, batch, inputs), row stride <see cref="Inputs"/>.</summary>
    public required Slice Input { get; init; }

    /// <summary>Inputs a row.</summary>
    public required int Inputs { get; init; }

    /// <summary>dL/dy, (steps, batch, outputs), row stride <see cref="Outputs"/>.</summary>
    public required Slice OutputGradient { get; init; }

    /// <summary>Outputs a row.</summary>
    public required int Outputs { get; init; }

    /// <summary>Steps T (1 for a layer applied once per sequence).</summary>
    public required int Steps { get; init; }

    /// <summary>Rows B a step.</summary>
    public required int Batch { get; init; }

    /// <summary>The reduction tree's leaf size (<see cref="BatchReduction.LeafRowsFor"/> of the global batch); 0: that of
    /// <see cref="Batch"/>.</summary>
    public int LeafRows { get; init; }

    /// <summary>Accumulated: += x^T dy, (inputs, outputs).</summary>
    public required Slice KernelGradient { get; init; }

    /// <summary>Accumulated when not empty: += the column sums of dy, (outputs).</summary>
    public Slice BiasGradient { get; init; }
}

using System.Numerics;

namespace RecurrentAE.Kernels.Cpu;

/// <summary>A leaf of <see cref="BatchReduction"/>'s tree: the sum over the batch rows [start, end), written into
/// <c>scratch</c> (size floats) or left where it already is; returns where it is.</summary>
internal unsafe interface IBatchLeaf
{
    float* Leaf(int index, int start, int end, float* scratch);
}

/// <summary>
/// Evaluates <see cref="BatchReduction"/>'s tree on the CPU: a node's sum is its left child's plus its right child's,
/// elementwise (a + b rounds the same at any vector width), so the result depends only on the rows, the leaf size and
/// what each leaf sums, never on the threads: <c>levels</c> buffers of <c>size</c> floats hold the partial sums, one a
/// level (depth first, the left child's sum stays in its level's buffer while the right subtree uses the levels below).
/// </summary>
internal static unsafe class BatchTree
{
    /// <summary>The buffers a tree over <paramref name="rows"/> rows needs: its depth plus one.</summary>
    public static int Levels(int rows, int leafRows)
    {
        int levels = 1;
        for (int n = rows; n > leafRows; n = (n + 1) / 2) levels++;
        return levels;
    }

    /// <summary>The leaf size: the given one, or that of <paramref name="rows"/> when 0.</summary>
    public static int LeafRows(int given, int rows) => given > 0 ? given : BatchReduction.LeafRowsFor(rows);

    /// <summary>The sum over rows [0, <paramref name="rows"/>): a pointer into <paramref name="buffers"/> or to a leaf's own
    /// sum.</summary>
    public static float* Sum<TLeaf>(ref TLeaf leaf, int rows, int leafRows, float* buffers, long size) where TLeaf : struct, IBatchLeaf
    {
        int index = 0;
        return Node(ref leaf, 0, rows, leafRows, ref index, buffers, size);
    }

    private static float* Node<TLeaf>(ref TLeaf leaf, int start, int end, int leafRows, ref int index, float* buffer, long size)
        where TLeaf : struct, IBatchLeaf
    {
        if (end - start <= leafRows) return leaf.Leaf(index++, start, end, buffer);
        int middle = BatchReduction.Middle(start, end);
        float* left = Node(ref leaf, start, middle, leafRows, ref index, buffer, size);
        float* right = Node(ref leaf, middle, end, leafRows, ref index, buffer + size, size);
        Add(left, right, buffer, size);
        return buffer;
    }

    /// <summary>sum[i] = x[i] + y[i] (sum may be x).</summary>
    public static void Add(float* x, float* y, float* sum, long n)
    {
        long i = 0;
        int w = Vector<float>.Count;
        for (; i + w <= n; i += w)
            (Vector.Load(x + i) + Vector.Load(y + i)).Store(sum + i);
        for (; i < n; i++) sum[i] = x[i] + y[i];
    }
}

/// <summary>One leaf of a time-major batch's column sums: sums[j] = sum over steps, then the leaf's rows, of x[t, b, j]
/// (the bias gradients), one <see cref="Pointwise.ColumnSum{S, TV}"/> a step.</summary>
internal unsafe struct ColumnSumLeaf<S, TV> : IBatchLeaf where S : struct, ISimd<TV> where TV : struct
{
    public float* X;
    public int Steps, Batch, Cols;

    public readonly float* Leaf(int index, int start, int end, float* scratch)
    {
        for (int t = 0; t < Steps; t++)
            Pointwise.ColumnSum<S, TV>(0, Cols, X + ((long)t * Batch + start) * Cols, end - start, Cols, scratch, accumulate: t > 0);
        return scratch;
    }
}

/// <summary>A weight gradient's leaf for an output block: <see cref="GemmDriver.SegmentedRange{S, TV}"/> over the leaf's
/// rows at every step.</summary>
internal unsafe struct GemmLeaf<S, TV> : IBatchLeaf where S : struct, ISimd<TV> where TV : struct
{
    public int I0, I1, J0, J1, Steps, Batch, Lda, Ldb;
    public float* A, B;
    public ThreadScratch Scratch;

    public readonly float* Leaf(int index, int start, int end, float* scratch)
    {
        GemmDriver.SegmentedRange<S, TV>(I0, I1, J0, J1, end - start, Steps, (long)Batch * Lda, (long)Batch * Ldb,
            A + (long)start * Lda, Lda, B + (long)start * Ldb, Ldb, scratch, J1 - J0, Scratch);
        return scratch;
    }
}

/// <summary>
/// C += A^T B over a time-major batch (A: steps x batch rows of Lda, B: of Ldb), summed over the batch in
/// <see cref="BatchReduction"/>'s tree: the dense and LSTM weight gradients. Split over the pool by output tiles as
/// <see cref="GemmJob"/> is; each thread runs the whole tree for its block, so the sums do not depend on the threads.
/// </summary>
internal sealed unsafe class GemmTreeJob(ThreadScratch[] scratch) : SimdJob
{
    public int M, N, Steps, Batch, LeafRows, Lda, Ldb, Ldc;
    public float* A, B, C;

    protected override void Run<S, TV>(int index, int count, int thread)
    {
        int i0 = 0, i1 = M, j0 = 0, j1 = N;
        bool splitRows = M >= N;
        if (count > 1)
        {
            int unit = splitRows ? S.TileRows : 2 * S.Count, total = splitRows ? M : N, blocks = (total + unit - 1) / unit;
            int lo = Math.Min(total, blocks * index / count * unit), hi = Math.Min(total, blocks * (index + 1) / count * unit);
            if (splitRows) { i0 = lo; i1 = hi; } else { j0 = lo; j1 = hi; }
        }
        if (i1 <= i0 || j1 <= j0) return;
        var own = scratch[index];
        long size = (long)(i1 - i0) * (j1 - j0);
        int levels = BatchTree.Levels(Batch, LeafRows);
        float* buffers = own.Tree.Ensure(checked((int)(levels * size)));
        var leaf = new GemmLeaf<S, TV> { I0 = i0, I1 = i1, J0 = j0, J1 = j1, Steps = Steps, Batch = Batch, Lda = Lda, Ldb = Ldb, A = A, B = B, Scratch = own };
        float* sum = BatchTree.Sum(ref leaf, Batch, LeafRows, buffers, size);
        int width = j1 - j0;
        for (int i = i0; i < i1; i++)
        {
            float* row = C + (long)i * Ldc + j0;
            BatchTree.Add(row, sum + (long)(i - i0) * width, row, width);
        }
    }
}

namespace RecurrentAE.Kernels.Cpu;

/// <summary>
/// One GEMM split over the pool by output tiles. The split runs along the larger of m and n, in whole register
/// panels/strips: each thread then packs all of the other dimension's operand, which is the smaller one to repeat
/// (896x400x28 splits rows; the weight gradient 100x400x896 splits columns).
/// </summary>
internal sealed unsafe class GemmJob(ThreadScratch[] scratch) : SimdJob
{
    public bool TransA, TransB, SplitRows;
    public int M, N, K, Lda, Ldb, Ldc;
    public float Alpha, Beta;
    public float* A, B, C;

    protected override void Run<S, TV>(int index, int count, int thread)
    {
        int i0 = 0, i1 = M, j0 = 0, j1 = N;
        if (count > 1)
        {
            int unit = SplitRows ? S.TileRows : 2 * S.Count;
            int total = SplitRows ? M : N;
            int blocks = (total + unit - 1) / unit;
            int lo = Math.Min(total, blocks * index / count * unit), hi = Math.Min(total, blocks * (index + 1) / count * unit);
            if (SplitRows) { i0 = lo; i1 = hi; } else { j0 = lo; j1 = hi; }
        }
        GemmDriver.Range<S, TV>(TransA, TransB, i0, i1, j0, j1, K, Alpha, A, Lda, B, Ldb, Beta, C, Ldc, scratch[index]);
    }
}

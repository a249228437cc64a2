namespace RecurrentAE.Kernels.Cpu;

/// <summary>Per-thread packing buffers (and the LSTM forward's block of recurrent products): each pool thread owns one,
/// so GEMMs and LSTM steps allocate nothing after the first call.</summary>
internal sealed class ThreadScratch
{
    public readonly AlignedBuffer A = new(), B = new(), EdgePanel = new(), EdgeStrip = new(), Recurrent = new();

    /// <summary>The partial sums of <see cref="BatchTree"/> for this thread's block of a weight gradient.</summary>
    public readonly AlignedBuffer Tree = new();
}

/// <summary>
/// The blocked GEMM (Goto/BLIS loop order, sized for the LSTM shapes): depth blocks of KC, column blocks of NC
/// (B packed once per block, reused by every row panel), row blocks of MC (A packed into L2), then register tiles.
/// KC * NR floats of B (32 KB at NR = 32) stay in L1 while the MC rows of A stream past them. Packing pays only when
/// the packed operand is reused: with few rows (the weight gradients' 28-100, a step's rows) B is read in place, and
/// A in place whenever it is not transposed (rows read directly) or has few rows (op(A) = A^T: a panel's rows are
/// contiguous in each row of A); only a partial panel or strip is then packed.
/// </summary>
internal static unsafe class GemmDriver
{
    public const int KC = 256, MC = 96, NC = 512; // MC is a multiple of 8 and 6, NC of 32, 16 and 2

    /// <summary>Rows of C up to which an operand is read in place rather than packed (see the class summary).</summary>
    private const int InPlaceRows = 128;

    /// <summary>C[i0..i1, j0..j1] = alpha op(A) op(B) + beta C over depth k.</summary>
    public static void Range<S, TV>(bool transA, bool transB, int i0, int i1, int j0, int j1, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc, ThreadScratch scratch)
        where S : struct, ISimd<TV> where TV : struct
    {
        if (i1 <= i0 || j1 <= j0) return;
        if (k == 0)
        {
            for (int i = i0; i < i1; i++)
                for (int j = j0; j < j1; j++)
                {
                    ref float cv = ref c[(long)i * ldc + j];
                    cv = beta == 0f ? 0f : beta * cv;
                }
            return;
        }
        int mr = S.TileRows, nr = 2 * S.Count;
        bool directA = !transA || i1 - i0 <= InPlaceRows, directB = !transB && i1 - i0 <= InPlaceRows;
        float* pa = directA ? null : scratch.A.Ensure(MC * KC);
        float* pb = directB ? null : scratch.B.Ensure(KC * NC);
        float* edgePanel = scratch.EdgePanel.Ensure(KC * 8), edgeStrip = scratch.EdgeStrip.Ensure(KC * 32);
        for (int pc = 0; pc < k; pc += KC)
        {
            int kc = Math.Min(KC, k - pc);
            float betaBlock = pc == 0 ? beta : 1f; // later depth blocks accumulate onto the first
            for (int jc = j0; jc < j1; jc += NC)
            {
                int nc = Math.Min(NC, j1 - jc);
                if (!directB) GemmPacking.PackB(transB, b, ldb, pc, kc, jc, nc, nr, pb);
                for (int ic = i0; ic < i1; ic += MC)
                {
                    int mc = Math.Min(MC, i1 - ic), full = mc - mc % mr;
                    if (!directA) GemmPacking.PackA(transA, a, lda, ic, mc, pc, kc, mr, pa);
                    else if (transA && full < mc) GemmPacking.PackA(true, a, lda, ic + full, mc - full, pc, kc, mr, edgePanel);
                    for (int js = 0; js < nc; js += nr)
                    {
                        int cols = Math.Min(nr, nc - js), width = cols <= nr / 2 ? nr / 2 : nr;
                        float* strip = directB ? b + (long)pc * ldb + jc + js : pb + (js / nr) * kc * nr;
                        int sb = directB ? ldb : width;
                        if (directB && cols != width)
                        {
                            GemmPacking.PackB(false, b, ldb, pc, kc, jc + js, cols, nr, edgeStrip);
                            strip = edgeStrip;
                            sb = width;
                        }
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            int rows = Math.Min(mr, mc - ir);
                            float* ct = c + (long)(ic + ir) * ldc + jc + js;
                            if (!directA)
                                GemmMicroKernel.Tile<S, TV>(kc, pa + (ir / mr) * kc * mr, mr, strip, sb, ct, ldc, alpha, betaBlock, rows, cols);
                            else if (!transA)
                                GemmMicroKernel.TileDirect<S, TV>(kc, a + (long)(ic + ir) * lda + pc, lda, strip, sb, ct, ldc, alpha, betaBlock, rows, cols);
                            else if (rows == mr)
                                GemmMicroKernel.Tile<S, TV>(kc, a + (long)pc * lda + ic + ir, lda, strip, sb, ct, ldc, alpha, betaBlock, rows, cols);
                            else
                                GemmMicroKernel.Tile<S, TV>(kc, edgePanel, mr, strip, sb, ct, ldc, alpha, betaBlock, rows, cols);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// C[i0..i1, j0..j1] = A^T B over a segmented depth (C's element (i, j) at c[(i - i0) * ldc + j - j0], overwritten):
    /// <paramref name="segments"/> runs of <paramref name="rows"/> consecutive rows of A (k x lda) and B (k x ldb), run q
    /// starting <paramref name="strideA"/> and <paramref name="strideB"/> floats after run 0. For the weight gradients of
    /// one leaf of a time-major batch (see <see cref="BatchReduction"/>): its rows at every step. Depth blocks are whole
    /// runs (as many as fit in KC), so the order of the additions depends only on rows and segments. Both operands are
    /// read in place; a partial panel of A or strip of B is packed per depth block.
    /// </summary>
    public static void SegmentedRange<S, TV>(int i0, int i1, int j0, int j1, int rows, int segments, long strideA, long strideB,
        float* a, int lda, float* b, int ldb, float* c, int ldc, ThreadScratch scratch)
        where S : struct, ISimd<TV> where TV : struct
    {
        if (i1 <= i0 || j1 <= j0) return;
        if (rows <= 0 || segments <= 0)
        {
            for (int i = i0; i < i1; i++) new Span<float>(c + (long)(i - i0) * ldc, j1 - j0).Clear();
            return;
        }
        int mr = S.TileRows, nr = 2 * S.Count;
        int group = Math.Max(1, KC / rows), mc = i1 - i0, full = mc - mc % mr;
        int kmax = Math.Min(group, segments) * rows;
        float* edgePanel = scratch.EdgePanel.Ensure(kmax * 8), edgeStrip = scratch.EdgeStrip.Ensure(kmax * 32);
        for (int s0 = 0; s0 < segments; s0 += group)
        {
            int segs = Math.Min(group, segments - s0);
            float beta = s0 == 0 ? 0f : 1f; // later depth blocks accumulate onto the first
            float* aBlock = a + s0 * strideA, bBlock = b + s0 * strideB;
            if (full < mc)
                for (int q = 0; q < segs; q++)
                    GemmPacking.PackA(true, aBlock + q * strideA, lda, i0 + full, mc - full, 0, rows, mr, edgePanel + (long)q * rows * mr);
            for (int js = j0; js < j1; js += nr)
            {
                int cols = Math.Min(nr, j1 - js), width = cols <= nr / 2 ? nr / 2 : nr;
                float* strip = bBlock + js;
                int sb = ldb;
                long jumpB = strideB - (long)rows * ldb;
                if (cols != width)
                {
                    for (int q = 0; q < segs; q++)
                        GemmPacking.PackB(false, bBlock + q * strideB, ldb, 0, rows, js, cols, nr, edgeStrip + (long)q * rows * width);
                    strip = edgeStrip;
                    sb = width;
                    jumpB = 0;
                }
                for (int ir = i0; ir < i1; ir += mr)
                {
                    int r = Math.Min(mr, i1 - ir);
                    float* ct = c + (long)(ir - i0) * ldc + (js - j0);
                    if (r == mr)
                        GemmMicroKernel.TileRuns<S, TV>(rows, segs, strideA - (long)rows * lda, jumpB, aBlock + ir, lda, strip, sb, ct, ldc, 1f, beta, r, cols);
                    else
                        GemmMicroKernel.TileRuns<S, TV>(rows, segs, 0, jumpB, edgePanel, mr, strip, sb, ct, ldc, 1f, beta, r, cols);
                }
            }
        }
    }

    /// <summary>The packed size of a whole k x n op(B) (strips of two vectors), for operands reused many times.</summary>
    public static int PackedBSize(int k, int n, int nr) => k * ((n + nr - 1) / nr) * nr;

    /// <summary>C[m, n] = A[m, k] (row-major, lda, read in place) * packedB + beta C, with B packed whole by
    /// <see cref="GemmPacking.PackB"/>: the LSTM's per-step recurrent products, where the kernel is packed once per
    /// sequence and A is a step's few KB of h or dz (see <see cref="GemmMicroKernel.TileDirect{S, TV}"/>).</summary>
    public static void MultiplyPackedB<S, TV>(int m, float* a, int lda, int k, float* packedB, int n, float* c, int ldc, float beta)
        where S : struct, ISimd<TV> where TV : struct
    {
        if (m <= 0 || n <= 0 || k <= 0) return;
        int mr = S.TileRows, nr = 2 * S.Count;
        // strips outer: one k x nr strip of B stays in L1 while the row panels pass over it
        for (int js = 0; js < n; js += nr)
        {
            float* strip = packedB + (js / nr) * k * nr;
            int cols = Math.Min(nr, n - js);
            for (int ir = 0; ir < m; ir += mr)
                GemmMicroKernel.TileDirect<S, TV>(k, a + (long)ir * lda, lda, strip, cols <= nr / 2 ? nr / 2 : nr,
                    c + (long)ir * ldc + js, ldc, 1f, beta, Math.Min(mr, m - ir), cols);
        }
    }
}

using System.Runtime.CompilerServices;

namespace RecurrentAE.Kernels.Cpu;

/// <summary>
/// GEMM register tiles: C[rows, 2 vectors] = alpha * (A panel) (B strip) + beta * C, written once per width through
/// <see cref="ISimd{TV}"/>. A panel holds TileRows rows side by side, a[p * sa + r] (packed: sa = TileRows; in place,
/// op(A) = A^T: sa = lda), or is read row by row in place (<see cref="TileDirect{S, TV}"/>); a B strip holds two
/// vectors of columns, b[p * sb + j] (packed: sb = the strip width; in place: sb = ldb). Panels and strips are full or
/// zero-padded, so the k loop has no edge cases; partial tiles are stored with masked stores.
/// </summary>
internal static unsafe class GemmMicroKernel
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Tile<S, TV>(int kc, float* pa, int sa, float* pb, int sb, float* c, int ldc, float alpha, float beta, int mr, int nr)
        where S : struct, ISimd<TV> where TV : struct => TileRuns<S, TV>(kc, 1, 0, 0, pa, sa, pb, sb, c, ldc, alpha, beta, mr, nr);

    /// <summary>As <see cref="Tile{S, TV}"/> over a
    /// depth of <paramref name="segments"/> runs of kc, the accumulators kept in registers from run to run: after each run
    /// the panel pointer moves on by <paramref name="jumpA"/> floats and the strip's by <paramref name="jumpB"/> (the
    /// gap to the next run: the weight gradients' rows of one leaf of the batch at consecutive steps, see
    /// <see cref="GemmDriver.SegmentedRange{S, TV}"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void TileRuns<S, TV>(int kc, int segments, long jumpA, long jumpB, float* pa, int sa, float* pb, int sb, float* c, int ldc,
        float alpha, float beta, int mr, int nr)
        where S : struct, ISimd<TV> where TV : struct
    {
        if (nr <= S.Count) TileNarrow<S, TV>(kc, segments, jumpA, jumpB, pa, sa, pb, sb, c, ldc, alpha, beta, mr, nr);
        else if (S.TileRows == 8) Tile8<S, TV>(kc, segments, jumpA, jumpB, pa, sa, pb, sb, c, ldc, alpha, beta, mr, nr);
        else Tile6<S, TV>(kc, segments, jumpA, jumpB, pa, sa, pb, sb, c, ldc, alpha, beta, mr, nr);
    }

    /// <summary>A strip of at most one vector of columns (packed one vector wide): half the work of a padded full tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TileNarrow<S, TV>(int kc, int segments, long jumpA, long jumpB, float* pa, int sa, float* pb, int sb, float* c, int ldc, float alpha, float beta, int mr, int nr)
        where S : struct, ISimd<TV> where TV : struct
    {
        int rows = S.TileRows;
        TV c0 = S.Zero, c1 = S.Zero, c2 = S.Zero, c3 = S.Zero, c4 = S.Zero, c5 = S.Zero, c6 = S.Zero, c7 = S.Zero;
        if (rows == 8)
        {
            for (int q = 0; q < segments; q++, pa += jumpA, pb += jumpB)
                for (int p = 0; p < kc; p++)
                {
                    TV b = S.Load(pb);
                    c0 = S.Fma(S.Splat(pa[0]), b, c0); c1 = S.Fma(S.Splat(pa[1]), b, c1);
                    c2 = S.Fma(S.Splat(pa[2]), b, c2); c3 = S.Fma(S.Splat(pa[3]), b, c3);
                    c4 = S.Fma(S.Splat(pa[4]), b, c4); c5 = S.Fma(S.Splat(pa[5]), b, c5);
                    c6 = S.Fma(S.Splat(pa[6]), b, c6); c7 = S.Fma(S.Splat(pa[7]), b, c7);
                    pa += sa;
                    pb += sb;
                }
        }
        else
        {
            for (int q = 0; q < segments; q++, pa += jumpA, pb += jumpB)
                for (int p = 0; p < kc; p++)
                {
                    TV b = S.Load(pb);
                    c0 = S.Fma(S.Splat(pa[0]), b, c0); c1 = S.Fma(S.Splat(pa[1]), b, c1);
                    c2 = S.Fma(S.Splat(pa[2]), b, c2); c3 = S.Fma(S.Splat(pa[3]), b, c3);
                    c4 = S.Fma(S.Splat(pa[4]), b, c4); c5 = S.Fma(S.Splat(pa[5]), b, c5);
                    pa += sa;
                    pb += sb;
                }
        }
        StoreRow<S, TV>(c, c0, alpha, beta, nr);
        if (mr > 1) StoreRow<S, TV>(c + ldc, c1, alpha, beta, nr);
        if (mr > 2) StoreRow<S, TV>(c + 2 * ldc, c2, alpha, beta, nr);
        if (mr > 3) StoreRow<S, TV>(c + 3 * ldc, c3, alpha, beta, nr);
        if (mr > 4) StoreRow<S, TV>(c + 4 * ldc, c4, alpha, beta, nr);
        if (mr > 5) StoreRow<S, TV>(c + 5 * ldc, c5, alpha, beta, nr);
        if (mr > 6) StoreRow<S, TV>(c + 6 * ldc, c6, alpha, beta, nr);
        if (mr > 7) StoreRow<S, TV>(c + 7 * ldc, c7, alpha, beta, nr);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile8<S, TV>(int kc, int segments, long jumpA, long jumpB, float* pa, int sa, float* pb, int sb, float* c, int ldc, float alpha, float beta, int mr, int nr)
        where S : struct, ISimd<TV> where TV : struct
    {
        int w = S.Count;
        TV c00 = S.Zero, c01 = S.Zero, c10 = S.Zero, c11 = S.Zero, c20 = S.Zero, c21 = S.Zero, c30 = S.Zero, c31 = S.Zero;
        TV c40 = S.Zero, c41 = S.Zero, c50 = S.Zero, c51 = S.Zero, c60 = S.Zero, c61 = S.Zero, c70 = S.Zero, c71 = S.Zero;
        for (int q = 0; q < segments; q++, pa += jumpA, pb += jumpB)
                for (int p = 0; p < kc; p++)
            {
                TV b0 = S.Load(pb), b1 = S.Load(pb + w);
                TV a = S.Splat(pa[0]); c00 = S.Fma(a, b0, c00); c01 = S.Fma(a, b1, c01);
                a = S.Splat(pa[1]); c10 = S.Fma(a, b0, c10); c11 = S.Fma(a, b1, c11);
                a = S.Splat(pa[2]); c20 = S.Fma(a, b0, c20); c21 = S.Fma(a, b1, c21);
                a = S.Splat(pa[3]); c30 = S.Fma(a, b0, c30); c31 = S.Fma(a, b1, c31);
                a = S.Splat(pa[4]); c40 = S.Fma(a, b0, c40); c41 = S.Fma(a, b1, c41);
                a = S.Splat(pa[5]); c50 = S.Fma(a, b0, c50); c51 = S.Fma(a, b1, c51);
                a = S.Splat(pa[6]); c60 = S.Fma(a, b0, c60); c61 = S.Fma(a, b1, c61);
                a = S.Splat(pa[7]); c70 = S.Fma(a, b0, c70); c71 = S.Fma(a, b1, c71);
                pa += sa;
                pb += sb;
            }
        StoreTile<S, TV>(c, ldc, alpha, beta, 8, mr, nr, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile6<S, TV>(int kc, int segments, long jumpA, long jumpB, float* pa, int sa, float* pb, int sb, float* c, int ldc, float alpha, float beta, int mr, int nr)
        where S : struct, ISimd<TV> where TV : struct
    {
        int w = S.Count;
        TV c00 = S.Zero, c01 = S.Zero, c10 = S.Zero, c11 = S.Zero, c20 = S.Zero, c21 = S.Zero;
        TV c30 = S.Zero, c31 = S.Zero, c40 = S.Zero, c41 = S.Zero, c50 = S.Zero, c51 = S.Zero;
        for (int q = 0; q < segments; q++, pa += jumpA, pb += jumpB)
                for (int p = 0; p < kc; p++)
            {
                TV b0 = S.Load(pb), b1 = S.Load(pb + w);
                TV a = S.Splat(pa[0]); c00 = S.Fma(a, b0, c00); c01 = S.Fma(a, b1, c01);
                a = S.Splat(pa[1]); c10 = S.Fma(a, b0, c10); c11 = S.Fma(a, b1, c11);
                a = S.Splat(pa[2]); c20 = S.Fma(a, b0, c20); c21 = S.Fma(a, b1, c21);
                a = S.Splat(pa[3]); c30 = S.Fma(a, b0, c30); c31 = S.Fma(a, b1, c31);
                a = S.Splat(pa[4]); c40 = S.Fma(a, b0, c40); c41 = S.Fma(a, b1, c41);
                a = S.Splat(pa[5]); c50 = S.Fma(a, b0, c50); c51 = S.Fma(a, b1, c51);
                pa += sa;
                pb += sb;
            }
        StoreTile<S, TV>(c, ldc, alpha, beta, 6, mr, nr, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, S.Zero, S.Zero, S.Zero, S.Zero);
    }

    /// <summary>As <see cref="Tile{S, TV}"/> with A read in place: rows a, a + lda, ... (no packed panel). For the LSTM's
    /// per-step products, whose A (h_{t-1} or dz_{t+1}, a few KB) is used by a handful of strips: packing it would
    /// cost a large share of the product. Rows past mr read row 0 again; their results are dropped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void TileDirect<S, TV>(int kc, float* a, int lda, float* pb, int sb, float* c, int ldc, float alpha, float beta, int mr, int nr)
        where S : struct, ISimd<TV> where TV : struct
    {
        if (nr <= S.Count) NarrowDirect<S, TV>(kc, a, lda, pb, sb, c, ldc, alpha, beta, mr, nr);
        else if (S.TileRows == 8) Tile8Direct<S, TV>(kc, a, lda, pb, sb, c, ldc, alpha, beta, mr, nr);
        else Tile6Direct<S, TV>(kc, a, lda, pb, sb, c, ldc, alpha, beta, mr, nr);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float* Row(float* a, int lda, int r, int mr) => r < mr ? a + (long)r * lda : a;

    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void NarrowDirect<S, TV>(int kc, float* a, int lda, float* pb, int sb, float* c, int ldc, float alpha, float beta, int mr, int nr)
        where S : struct, ISimd<TV> where TV : struct
    {
        float* a0 = a, a1 = Row(a, lda, 1, mr), a2 = Row(a, lda, 2, mr), a3 = Row(a, lda, 3, mr);
        float* a4 = Row(a, lda, 4, mr), a5 = Row(a, lda, 5, mr), a6 = Row(a, lda, 6, mr), a7 = Row(a, lda, 7, mr);
        TV c0 = S.Zero, c1 = S.Zero, c2 = S.Zero, c3 = S.Zero, c4 = S.Zero, c5 = S.Zero, c6 = S.Zero, c7 = S.Zero;
        if (S.TileRows == 8)
        {
            for (int p = 0; p < kc; p++)
            {
                TV b = S.Load(pb);
                c0 = S.Fma(S.Splat(a0[p]), b, c0); c1 = S.Fma(S.Splat(a1[p]), b, c1);
                c2 = S.Fma(S.Splat(a2[p]), b, c2); c3 = S.Fma(S.Splat(a3[p]), b, c3);
                c4 = S.Fma(S.Splat(a4[p]), b, c4); c5 = S.Fma(S.Splat(a5[p]), b, c5);
                c6 = S.Fma(S.Splat(a6[p]), b, c6); c7 = S.Fma(S.Splat(a7[p]), b, c7);
                pb += sb;
            }
        }
        else
        {
            for (int p = 0; p < kc; p++)
            {
                TV b = S.Load(pb);
                c0 = S.Fma(S.Splat(a0[p]), b, c0); c1 = S.Fma(S.Splat(a1[p]), b, c1);
                c2 = S.Fma(S.Splat(a2[p]), b, c2); c3 = S.Fma(S.Splat(a3[p]), b, c3);
                c4 = S.Fma(S.Splat(a4[p]), b, c4); c5 = S.Fma(S.Splat(a5[p]), b, c5);
                pb += sb;
            }
        }
        StoreRow<S, TV>(c, c0, alpha, beta, nr);
        if (mr > 1) StoreRow<S, TV>(c + ldc, c1, alpha, beta, nr);
        if (mr > 2) StoreRow<S, TV>(c + 2 * ldc, c2, alpha, beta, nr);
        if (mr > 3) StoreRow<S, TV>(c + 3 * ldc, c3, alpha, beta, nr);
        if (mr > 4) StoreRow<S, TV>(c + 4 * ldc, c4, alpha, beta, nr);
        if (mr > 5) StoreRow<S, TV>(c + 5 * ldc, c5, alpha, beta, nr);
        if (mr > 6) StoreRow<S, TV>(c + 6 * ldc, c6, alpha, beta, nr);
        if (mr > 7) StoreRow<S, TV>(c + 7 * ldc, c7, alpha, beta, nr);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile8Direct<S, TV>(int kc, float* a, int lda, float* pb, int sb, float* c, int ldc, float alpha, float beta, int mr, int nr)
        where S : struct, ISimd<TV> where TV : struct
    {
        int w = S.Count;
        float* a0 = a, a1 = Row(a, lda, 1, mr), a2 = Row(a, lda, 2, mr), a3 = Row(a, lda, 3, mr);
        float* a4 = Row(a, lda, 4, mr), a5 = Row(a, lda, 5, mr), a6 = Row(a, lda, 6, mr), a7 = Row(a, lda, 7, mr);
        TV c00 = S.Zero, c01 = S.Zero, c10 = S.Zero, c11 = S.Zero, c20 = S.Zero, c21 = S.Zero, c30 = S.Zero, c31 = S.Zero;
        TV c40 = S.Zero, c41 = S.Zero, c50 = S.Zero, c51 = S.Zero, c60 = S.Zero, c61 = S.Zero, c70 = S.Zero, c71 = S.Zero;
        for (int p = 0; p < kc; p++)
        {
            TV b0 = S.Load(pb), b1 = S.Load(pb + w);
            TV x = S.Splat(a0[p]); c00 = S.Fma(x, b0, c00); c01 = S.Fma(x, b1, c01);
            x = S.Splat(a1[p]); c10 = S.Fma(x, b0, c10); c11 = S.Fma(x, b1, c11);
            x = S.Splat(a2[p]); c20 = S.Fma(x, b0, c20); c21 = S.Fma(x, b1, c21);
            x = S.Splat(a3[p]); c30 = S.Fma(x, b0, c30); c31 = S.Fma(x, b1, c31);
            x = S.Splat(a4[p]); c40 = S.Fma(x, b0, c40); c41 = S.Fma(x, b1, c41);
            x = S.Splat(a5[p]); c50 = S.Fma(x, b0, c50); c51 = S.Fma(x, b1, c51);
            x = S.Splat(a6[p]); c60 = S.Fma(x, b0, c60); c61 = S.Fma(x, b1, c61);
            x = S.Splat(a7[p]); c70 = S.Fma(x, b0, c70); c71 = S.Fma(x, b1, c71);
            pb += sb;
        }
        StoreTile<S, TV>(c, ldc, alpha, beta, 8, mr, nr, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile6Direct<S, TV>(int kc, float* a, int lda, float* pb, int sb, float* c, int ldc, float alpha, float beta, int mr, int nr)
        where S : struct, ISimd<TV> where TV : struct
    {
        int w = S.Count;
        float* a0 = a, a1 = Row(a, lda, 1, mr), a2 = Row(a, lda, 2, mr), a3 = Row(a, lda, 3, mr);
        float* a4 = Row(a, lda, 4, mr), a5 = Row(a, lda, 5, mr);
        TV c00 = S.Zero, c01 = S.Zero, c10 = S.Zero, c11 = S.Zero, c20 = S.Zero, c21 = S.Zero;
        TV c30 = S.Zero, c31 = S.Zero, c40 = S.Zero, c41 = S.Zero, c50 = S.Zero, c51 = S.Zero;
        for (int p = 0; p < kc; p++)
        {
            TV b0 = S.Load(pb), b1 = S.Load(pb + w);
            TV x = S.Splat(a0[p]); c00 = S.Fma(x, b0, c00); c01 = S.Fma(x, b1, c01);
            x = S.Splat(a1[p]); c10 = S.Fma(x, b0, c10); c11 = S.Fma(x, b1, c11);
            x = S.Splat(a2[p]); c20 = S.Fma(x, b0, c20); c21 = S.Fma(x, b1, c21);
            x = S.Splat(a3[p]); c30 = S.Fma(x, b0, c30); c31 = S.Fma(x, b1, c31);
            x = S.Splat(a4[p]); c40 = S.Fma(x, b0, c40); c41 = S.Fma(x, b1, c41);
            x = S.Splat(a5[p]); c50 = S.Fma(x, b0, c50); c51 = S.Fma(x, b1, c51);
            pb += sb;
        }
        StoreTile<S, TV>(c, ldc, alpha, beta, 6, mr, nr, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, S.Zero, S.Zero, S.Zero, S.Zero);
    }

    /// <summary>The accumulators of a two-vector tile of <paramref name="rows"/> (8 or 6; a 6-row tile passes zeros for
    /// rows 6 and 7) into C: plain stores when the tile is full (mr = rows, nr = two vectors), else row by row up to mr
    /// with masked stores past nr.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreTile<S, TV>(float* c, int ldc, float alpha, float beta, int rows, int mr, int nr,
        TV c00, TV c01, TV c10, TV c11, TV c20, TV c21, TV c30, TV c31, TV c40, TV c41, TV c50, TV c51, TV c60, TV c61, TV c70, TV c71)
        where S : struct, ISimd<TV> where TV : struct
    {
        if (mr == rows && nr == 2 * S.Count)
        {
            Store<S, TV>(c, c00, c01, alpha, beta); Store<S, TV>(c + ldc, c10, c11, alpha, beta);
            Store<S, TV>(c + 2 * ldc, c20, c21, alpha, beta); Store<S, TV>(c + 3 * ldc, c30, c31, alpha, beta);
            Store<S, TV>(c + 4 * ldc, c40, c41, alpha, beta); Store<S, TV>(c + 5 * ldc, c50, c51, alpha, beta);
            if (rows == 8) { Store<S, TV>(c + 6 * ldc, c60, c61, alpha, beta); Store<S, TV>(c + 7 * ldc, c70, c71, alpha, beta); }
            return;
        }
        StoreRow<S, TV>(c, c00, c01, alpha, beta, nr);
        if (mr > 1) StoreRow<S, TV>(c + ldc, c10, c11, alpha, beta, nr);
        if (mr > 2) StoreRow<S, TV>(c + 2 * ldc, c20, c21, alpha, beta, nr);
        if (mr > 3) StoreRow<S, TV>(c + 3 * ldc, c30, c31, alpha, beta, nr);
        if (mr > 4) StoreRow<S, TV>(c + 4 * ldc, c40, c41, alpha, beta, nr);
        if (mr > 5) StoreRow<S, TV>(c + 5 * ldc, c50, c51, alpha, beta, nr);
        if (mr > 6) StoreRow<S, TV>(c + 6 * ldc, c60, c61, alpha, beta, nr);
        if (mr > 7) StoreRow<S, TV>(c + 7 * ldc, c70, c71, alpha, beta, nr);
    }

    /// <summary>beta == 0 overwrites C without reading it, so NaNs already in C do not propagate (the contract).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<S, TV>(float* c, TV x0, TV x1, float alpha, float beta) where S : struct, ISimd<TV> where TV : struct
    {
        TV va = S.Splat(alpha);
        x0 = S.Mul(va, x0);
        x1 = S.Mul(va, x1);
        if (beta != 0f)
        {
            TV vb = S.Splat(beta);
            x0 = S.Fma(vb, S.Load(c), x0);
            x1 = S.Fma(vb, S.Load(c + S.Count), x1);
        }
        S.Store(c, x0);
        S.Store(c + S.Count, x1);
    }

    /// <summary>One row of a partial tile: the first nr columns of (x0 | x1), masked past them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<S, TV>(float* c, TV x0, TV x1, float alpha, float beta, int nr) where S : struct, ISimd<TV> where TV : struct
    {
        StoreRow<S, TV>(c, x0, alpha, beta, Math.Min(nr, S.Count));
        if (nr > S.Count) StoreRow<S, TV>(c + S.Count, x1, alpha, beta, nr - S.Count);
    }

    /// <summary>The first n (1..width) columns of x into a row of C; beta == 0 does not read C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<S, TV>(float* c, TV x, float alpha, float beta, int n) where S : struct, ISimd<TV> where TV : struct
    {
        x = S.Mul(S.Splat(alpha), x);
        if (n == S.Count)
        {
            if (beta != 0f) x = S.Fma(S.Splat(beta), S.Load(c), x);
            S.Store(c, x);
        }
        else
        {
            if (beta != 0f) x = S.Fma(S.Splat(beta), S.LoadFirst(c, n), x);
            S.StoreFirst(c, x, n);
        }
    }

}

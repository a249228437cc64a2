namespace RecurrentAE.Kernels.Cpu;

/// <summary>Copies GEMM operands into the micro-kernel's layouts (see <see cref="GemmMicroKernel"/>), zero-padding
/// partial panels. Packing is O(mk + kn) against the O(mnk) product and makes every transpose look the same.</summary>
internal static unsafe class GemmPacking
{
    /// <summary>Rows [i0, i0+mc) x depth [p0, p0+kc) of op(A) into ceil(mc/mr) panels of mr rows, each kc*mr floats.</summary>
    public static void PackA(bool transA, float* a, int lda, int i0, int mc, int p0, int kc, int mr, float* dst)
    {
        for (int ir = 0; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            if (!transA)
            {
                // op(A)(i, p) = a[i * lda + p]: read each row contiguously, scatter into the panel
                for (int r = 0; r < rows; r++)
                {
                    float* src = a + (long)(i0 + ir + r) * lda + p0;
                    for (int p = 0; p < kc; p++) dst[p * mr + r] = src[p];
                }
            }
            else
            {
                // op(A)(i, p) = a[p * lda + i]: the panel's rows are contiguous in memory
                for (int p = 0; p < kc; p++)
                {
                    float* src = a + (long)(p0 + p) * lda + i0 + ir;
                    for (int r = 0; r < rows; r++) dst[p * mr + r] = src[r];
                }
            }
            if (rows < mr)
                for (int p = 0; p < kc; p++)
                    for (int r = rows; r < mr; r++) dst[p * mr + r] = 0f;
            dst += kc * mr;
        }
    }

    /// <summary>Depth [p0, p0+kc) x columns [j0, j0+nc) of op(B) into ceil(nc/nr) strips of nr columns, each kc*nr floats;
/// a last strip of at most nr/2 columns is kc*nr/2 floats (see <see cref="GemmMicroKernel.Tile{S, TV}"/>).</summary>
    public static void PackB(bool transB, float* b, int ldb, int p0, int kc, int j0, int nc, int nr, float* dst)
    {
        int full = nr;
        for (int js = 0; js < nc; js += full)
        {
            int cols = Math.Min(full, nc - js);
            // a last strip of at most one vector is packed one vector wide, for the narrow tile (N = 100, 28, 400 % 32)
            nr = cols <= full / 2 ? full / 2 : full;
            if (!transB)
            {
                for (int p = 0; p < kc; p++)
                {
                    float* src = b + (long)(p0 + p) * ldb + j0 + js;
                    float* d = dst + p * nr;
                    Buffer.MemoryCopy(src, d, cols * sizeof(float), cols * sizeof(float));
                    for (int j = cols; j < nr; j++) d[j] = 0f;
                }
            }
            else
            {
                // op(B)(p, j) = b[j * ldb + p]: read along p, write with stride nr, a block of depth at a time so the
                // block of the strip being written stays in L1 (a whole strip of 400 deep is 51 KB)
                for (int pb = 0; pb < kc; pb += 64)
                {
                    int pe = Math.Min(kc, pb + 64);
                    for (int j = 0; j < cols; j++)
                    {
                        float* src = b + (long)(j0 + js + j) * ldb + p0;
                        for (int p = pb; p < pe; p++) dst[p * nr + j] = src[p];
                    }
                }
                if (cols < nr)
                    for (int p = 0; p < kc; p++)
                        for (int j = cols; j < nr; j++) dst[p * nr + j] = 0f;
            }
            dst += kc * nr;
        }
    }
}

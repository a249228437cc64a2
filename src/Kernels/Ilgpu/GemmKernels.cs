using ILGPU;

namespace RecurrentAE.Kernels.Ilgpu;

/// <summary>Shape, transposes and scalars of one GEMM launch (packed so the kernel stays under ILGPU's parameter limit).</summary>
internal struct GemmParams
{
    public int TransA, TransB, M, N, K, Lda, Ldb, Ldc, Tile;
    public float Alpha, Beta;
}

/// <summary>
/// C = alpha op(A) op(B) + beta C, tiled through shared memory. Explicitly grouped: each group of Tile x Tile threads
/// owns a Tile x Tile block of C (Tile = 16 on GPUs, smaller where a group has fewer threads, e.g. ILGPU's CPU
/// accelerator). Edges are zero-padded, so any m, n, k is correct.
/// </summary>
internal static class GemmKernels
{
    /// <summary>Shared tiles are allocated at the largest tile size; smaller tiles use the top-left corner.</summary>
    public const int MaxTile = 16;

    [IlgpuKernel(ExplicitlyGrouped = true)]
    public static void Gemm(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmParams p)
    {
        var sA = SharedMemory.Allocate<float>(MaxTile * MaxTile);
        var sB = SharedMemory.Allocate<float>(MaxTile * MaxTile);
        int tile = p.Tile;
        int tx = Group.IdxX, ty = Group.IdxY;
        int row = Grid.IdxY * tile + ty;
        int col = Grid.IdxX * tile + tx;
        float sum = 0f;
        for (int k0 = 0; k0 < p.K; k0 += tile)
        {
            int ka = k0 + tx;
            float av = 0f;
            if (row < p.M && ka < p.K)
                av = p.TransA == 0 ? a[row * p.Lda + ka] : a[ka * p.Lda + row];
            sA[ty * MaxTile + tx] = av;

            int kb = k0 + ty;
            float bv = 0f;
            if (kb < p.K && col < p.N)
                bv = p.TransB == 0 ? b[kb * p.Ldb + col] : b[col * p.Ldb + kb];
            sB[ty * MaxTile + tx] = bv;
            Group.Barrier();

            for (int q = 0; q < tile; q++)
                sum += sA[ty * MaxTile + q] * sB[q * MaxTile + tx];
            Group.Barrier();
        }
        if (row < p.M && col < p.N)
        {
            int ci = row * p.Ldc + col;
            // beta = 0 overwrites: C is never read, so NaNs in it cannot propagate.
            c[ci] = p.Beta == 0f ? p.Alpha * sum : p.Alpha * sum + p.Beta * c[ci];
        }
    }
}

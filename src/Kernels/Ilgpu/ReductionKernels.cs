using ILGPU;

namespace RecurrentAE.Kernels.Ilgpu;

/// <summary>Column sums: bias gradients and the RepeatVector backward (sum over steps).</summary>
internal static class ReductionKernels
{
    /// <summary>sums[j] (+)= sum_i x[i * cols + j], one thread per column.</summary>
    [IlgpuKernel]
    public static void ColumnSum(Index1D j, ArrayView<float> x, ArrayView<float> sums, int rows, int cols, int accumulate)
    {
        float s = accumulate != 0 ? sums[j] : 0f;
        for (int i = 0; i < rows; i++) s += x[i * cols + j];
        sums[j] = s;
    }
}

using ILGPU;

namespace RecurrentAE.Kernels.Ilgpu;

/// <summary>Fill, device-to-device copy and row scaling of slices, one thread per element.</summary>
internal static class MemoryKernels
{
    [IlgpuKernel]
    public static void Fill(Index1D i, ArrayView<float> x, float value) => x[i] = value;

    [IlgpuKernel]
    public static void Copy(Index1D i, ArrayView<float> source, ArrayView<float> destination) => destination[i] = source[i];

    /// <summary>y[i] = x[i] * scales[i / cols]: the rows of x, each times its scale (y may be x).</summary>
    [IlgpuKernel]
    public static void ScaleRows(Index1D i, ArrayView<float> x, ArrayView<float> scales, ArrayView<float> y, int cols) =>
        y[i] = x[i] * scales[i / cols];
}

using ILGPU;

namespace RecurrentAE.Kernels.Ilgpu;

/// <summary>Fill and device-to-device copy of slices, one thread per element.</summary>
internal static class MemoryKernels
{
    public static void Fill(Index1D i, ArrayView<float> x, float value) => x[i] = value;

    public static void Copy(Index1D i, ArrayView<float> source, ArrayView<float> destination) => destination[i] = source[i];
}

using ILGPU;

namespace RecurrentAE.Kernels.Ilgpu;

/// <summary>The launch parameters of <see cref="GatherKernel"/>: the batch and a <see cref="GatherLayout"/> without its step count.</summary>
internal struct GatherParams
{
    public int Features, Start, Batch, ItemStride, MaxOffset, First, StepStride;
}

/// <summary>Gathers items of the resident data set (sequences, or windows of one series) into a time-major batch.</summary>
internal static class GatherKernel
{
    /// <summary>x[t, b, f] = data[min(i * itemStride, maxOffset) + first + t * stepStride + f] with i = indices[start + b],
    /// one thread per element of x. The item start is computed in 64 bits before the clamp (i * itemStride may pass 2^31
    /// only for the clamped last window, but it must not wrap).</summary>
    [IlgpuKernel]
    public static void Gather(Index1D index, ArrayView<float> data, ArrayView<int> indices, ArrayView<float> x, GatherParams p)
    {
        int bf = p.Batch * p.Features;
        int t = index / bf;
        int rem = index - t * bf;
        int b = rem / p.Features;
        int f = rem - b * p.Features;
        long itemStart = (long)indices[p.Start + b] * p.ItemStride;
        if (itemStart > p.MaxOffset) itemStart = p.MaxOffset;
        x[index] = data[(int)itemStart + p.First + t * p.StepStride + f];
    }
}

using ILGPU;

namespace RecurrentAE.Kernels.Ilgpu;

internal struct GatherParams
{
    public int Steps, Features, Start, Batch;
}

/// <summary>Gathers sequences of the resident data set into a time-major batch.</summary>
internal static class GatherKernel
{
    /// <summary>x[t, b, f] = data[indices[start + b] * steps * features + t * features + f], one thread per element of x.</summary>
    public static void Gather_forward(Index1D index, ArrayView<float> data, ArrayView<int> indices, ArrayView<float> x, GatherParams p)
    {
        int bf = p.Batch * p.Features;
        int t = index / bf;
        int rem = index - t * bf;
        int b = rem / p.Features;
        int f = rem - b * p.Features;
        x[index] = data[indices[p.Start + b] * p.Steps * p.Features + t * p.Features + f];
    }
}

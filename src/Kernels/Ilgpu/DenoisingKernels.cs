using ILGPU;

namespace RecurrentAE.Kernels.Ilgpu;

internal struct CorruptParams
{
    public float NoiseStd, Dropout;
    public ulong NoiseKey, DropoutKey;
}

/// <summary>Denoising's input corruption (see <see cref="IComputeBackend.CorruptInputs"/>): one thread per value, the
/// draws a pure function of (key, index). Forward only: the data gets no gradient.</summary>
internal static class DenoisingKernels
{
    [IlgpuKernel]
    public static void CorruptInputs(Index1D i, ArrayView<float> x, ArrayView<float> y, CorruptParams p)
    {
        float v = x[i];
        if (p.Dropout > 0f) v = CounterRandom.Uniform(new CounterKey(p.DropoutKey), i) < p.Dropout ? 0f : v * (1f / (1f - p.Dropout));
        if (p.NoiseStd > 0f) v += p.NoiseStd * CounterRandom.Gaussian(new CounterKey(p.NoiseKey), i);
        y[i] = v;
    }
}

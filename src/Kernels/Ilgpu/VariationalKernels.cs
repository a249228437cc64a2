using ILGPU;

namespace RecurrentAE.Kernels.Ilgpu;

internal struct KlParams
{
    public int Count, Accumulate;
    public float Scale;
}

/// <summary>The variational coding: the reparameterisation forward beside its backward (eps redrawn from the key, never
/// stored), and the KL divergence to N(0, I) forward (a single-group deterministic reduction) beside its gradient.</summary>
internal static class VariationalKernels
{
    /// <summary>coding = mean + exp(logVar / 2) * eps (Kingma and Welling 2014).</summary>
    [IlgpuKernel]
    public static void Reparameterize_forward(Index1D i, ArrayView<float> mean, ArrayView<float> logVar, ArrayView<float> coding, ulong key) =>
        coding[i] = mean[i] + MathF.Exp(0.5f * logVar[i]) * CounterRandom.Gaussian(new CounterKey(key), i);

    /// <summary>dMean = dCoding; dLogVar = dCoding * exp(logVar / 2) * eps / 2.</summary>
    [IlgpuKernel]
    public static void Reparameterize_backward(Index1D i, ArrayView<float> logVar, ArrayView<float> codingGradient,
        ArrayView<float> meanGradient, ArrayView<float> logVarGradient, ulong key)
    {
        float g = codingGradient[i];
        meanGradient[i] = g;
        logVarGradient[i] = g * 0.5f * MathF.Exp(0.5f * logVar[i]) * CounterRandom.Gaussian(new CounterKey(key), i);
    }

    /// <summary>One explicitly grouped launch of a single group: grid-stride partial sums of -0.5 (1 + lv - m^2 - exp(lv)),
    /// a shared-memory tree, and loss[0] (+)= scale * sum from thread 0 (appendix B of Kingma and Welling 2014).</summary>
    [IlgpuKernel(ExplicitlyGrouped = true)]
    public static void KlDivergence_forward(ArrayView<float> mean, ArrayView<float> logVar, ArrayView<float> loss, KlParams p)
    {
        var partial = SharedMemory.Allocate<float>(HeadKernels.MaxReduceGroup);
        int tid = Group.IdxX, size = Group.DimX;
        float sum = 0f;
        for (int i = tid; i < p.Count; i += size)
            sum += -0.5f * (1f + logVar[i] - mean[i] * mean[i] - MathF.Exp(logVar[i]));
        partial[tid] = sum;
        Group.Barrier();
        for (int half = size / 2; half > 0; half /= 2)
        {
            if (tid < half) partial[tid] += partial[tid + half];
            Group.Barrier();
        }
        if (tid == 0) loss[0] = (p.Accumulate != 0 ? loss[0] : 0f) + p.Scale * partial[0];
    }

    /// <summary>dMean += scale * m; dLogVar += scale * (exp(lv) - 1) / 2.</summary>
    [IlgpuKernel]
    public static void KlDivergence_backward(Index1D i, ArrayView<float> mean, ArrayView<float> logVar,
        ArrayView<float> meanGradient, ArrayView<float> logVarGradient, float scale)
    {
        meanGradient[i] += scale * mean[i];
        logVarGradient[i] += scale * 0.5f * (MathF.Exp(logVar[i]) - 1f);
    }
}

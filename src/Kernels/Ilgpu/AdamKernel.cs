using ILGPU;

namespace RecurrentAE.Kernels.Ilgpu;

internal struct AdamParams
{
    public float StepSize, Beta1, Beta2, Epsilon;
}

/// <summary>Adam (Keras form) over flat buffers, one thread per parameter, one launch.</summary>
internal static class AdamKernel
{
    public static void Adam_update(Index1D i, ArrayView<float> w, ArrayView<float> g, ArrayView<float> m, ArrayView<float> v, AdamParams p)
    {
        float gi = g[i];
        float mi = p.Beta1 * m[i] + (1 - p.Beta1) * gi;
        float vi = p.Beta2 * v[i] + (1 - p.Beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        w[i] -= p.StepSize * mi / (MathF.Sqrt(vi) + p.Epsilon);
    }
}

using ILGPU;

namespace RecurrentAE.Kernels.Ilgpu;

/// <summary>Adam (Keras form, see <see cref="AdamStep"/>) over flat buffers, one thread per parameter, one launch. The
/// settings arrive as plain floats: a kernel takes no managed objects.</summary>
internal static class AdamKernel
{
    [IlgpuKernel]
    public static void Adam(Index1D i, ArrayView<float> w, ArrayView<float> g, ArrayView<float> m, ArrayView<float> v,
        float stepSize, float beta1, float beta2, float epsilon)
    {
        float gi = g[i];
        float mi = beta1 * m[i] + (1 - beta1) * gi;
        float vi = beta2 * v[i] + (1 - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        w[i] -= stepSize * mi / (MathF.Sqrt(vi) + epsilon);
    }
}

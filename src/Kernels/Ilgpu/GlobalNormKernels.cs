using ILGPU;

namespace RecurrentAE.Kernels.Ilgpu;

/// <summary>Clipping by global norm on the device: the sum of squares (forward) beside the scale it feeds. The factor
/// is computed by every thread of the scale from the device-side sum, so clipping never waits on the host.</summary>
internal static class GlobalNormKernels
{
    /// <summary>
    /// One explicitly grouped launch of a single group: each thread sums the squares of its grid-stride share with
    /// Kahan compensation (float64 is optional on OpenCL devices), then a shared-memory tree adds the partials pairwise.
    /// No atomics: the same bits on every run. result[0] = sum x[i]^2.
    /// </summary>
    [IlgpuKernel(ExplicitlyGrouped = true)]
    public static void SumOfSquares(ArrayView<float> x, ArrayView<float> result, int n)
    {
        var partial = SharedMemory.Allocate<float>(HeadKernels.MaxReduceGroup);
        int tid = Group.IdxX, size = Group.DimX;
        float sum = 0f, compensation = 0f;
        for (int i = tid; i < n; i += size)
        {
            float y = x[i] * x[i] - compensation;
            float t = sum + y;
            compensation = (t - sum) - y;
            sum = t;
        }
        partial[tid] = sum;
        Group.Barrier();
        for (int half = size / 2; half > 0; half /= 2)
        {
            if (tid < half) partial[tid] += partial[tid + half];
            Group.Barrier();
        }
        if (tid == 0) result[0] = partial[0];
    }

    /// <summary>x[i] *= maxNorm / max(sqrt(sumOfSquares[0]), maxNorm) (Keras <c>global_clipnorm</c>); a NaN norm makes x NaN
    /// (the loss check then stops the run) instead of hiding it.</summary>
    [IlgpuKernel]
    public static void ClipByGlobalNorm(Index1D i, ArrayView<float> x, ArrayView<float> sumOfSquares, float maxNorm)
    {
        float norm = MathF.Sqrt(sumOfSquares[0]);
        float factor = float.IsNaN(norm) ? norm : maxNorm / (norm > maxNorm ? norm : maxNorm);
        x[i] *= factor;
    }
}

using ILGPU;

namespace RecurrentAE.Kernels.Ilgpu;

internal struct SparsityParams
{
    public int Rows, Cols, Accumulate;
    public float Target, Weight, L1;
}

/// <summary>The sparse autoencoder's penalties on sigmoid codings (see <see cref="IComputeBackend.SparsityPenalty"/>):
/// the forward is a single-group reduction (a thread per column, then a shared-memory tree), the backward a thread per
/// value that recomputes its column's mean activation (a batch is at most a few hundred rows) instead of storing it.</summary>
internal static class SparsityKernels
{
    private static float MeanActivation(ArrayView<float> coding, int rows, int cols, int j)
    {
        float sum = 0f;
        for (int r = 0; r < rows; r++) sum += coding[r * cols + j];
        float q = sum / rows;
        return q < SparsityPenalty.Floor ? SparsityPenalty.Floor : q > 1f - SparsityPenalty.Floor ? 1f - SparsityPenalty.Floor : q;
    }

    [IlgpuKernel(ExplicitlyGrouped = true)]
    public static void SparsityPenalty_forward(ArrayView<float> coding, ArrayView<float> loss, SparsityParams p)
    {
        var partial = SharedMemory.Allocate<float>(HeadKernels.MaxReduceGroup);
        int tid = Group.IdxX, size = Group.DimX;
        float sum = 0f;
        for (int j = tid; j < p.Cols; j += size)
        {
            if (p.Weight != 0f)
            {
                float q = MeanActivation(coding, p.Rows, p.Cols, j), t = p.Target;
                sum += p.Weight * (t * MathF.Log(t / q) + (1f - t) * MathF.Log((1f - t) / (1f - q)));
            }
            if (p.L1 != 0f)
            {
                float abs = 0f;
                for (int r = 0; r < p.Rows; r++) abs += MathF.Abs(coding[r * p.Cols + j]);
                sum += p.L1 * abs / p.Rows;
            }
        }
        partial[tid] = sum;
        Group.Barrier();
        for (int half = size / 2; half > 0; half /= 2)
        {
            if (tid < half) partial[tid] += partial[tid + half];
            Group.Barrier();
        }
        if (tid == 0) loss[0] = (p.Accumulate != 0 ? loss[0] : 0f) + partial[0];
    }

    /// <summary>logitGradient = (codingGradient + the penalties' gradient) * c (1 - c).</summary>
    [IlgpuKernel]
    public static void SparsityPenalty_backward(Index1D i, ArrayView<float> coding, ArrayView<float> codingGradient,
        ArrayView<float> logitGradient, SparsityParams p)
    {
        int j = i % p.Cols;
        float c = coding[i];
        float g = codingGradient[i];
        if (p.Weight != 0f)
        {
            float q = MeanActivation(coding, p.Rows, p.Cols, j), t = p.Target;
            g += p.Weight * (-t / q + (1f - t) / (1f - q)) / p.Rows;
        }
        if (p.L1 != 0f) g += p.L1 * (c > 0f ? 1f : c < 0f ? -1f : 0f) / p.Rows;
        logitGradient[i] = g * c * (1f - c);
    }
}

using ILGPU;

namespace RecurrentAE.Kernels.Ilgpu;

internal struct HeadLossParams
{
    public int Head, Steps, Batch, Cols, Accumulate, HasGradient, HasLengths;
    public float Scale;
}

/// <summary>
/// The output head at every step: its forward (bias + activation) beside its loss with the fused gradient through the
/// activation (see <see cref="HeadLossArgs"/>). Head codes are <see cref="OutputHead"/> as ints.
/// </summary>
internal static class HeadKernels
{
    /// <summary>Threads of the single reduction group are capped here (shared memory is sized for it).</summary>
    public const int MaxReduceGroup = 256;

    /// <summary>Sigmoid and linear heads: one thread per element.</summary>
    [IlgpuKernel]
    public static void HeadPointwise_forward(Index1D index, ArrayView<float> logits, ArrayView<float> bias, ArrayView<float> output, int cols, int head)
    {
        float z = logits[index] + bias[index % cols];
        output[index] = head == (int)OutputHead.Sigmoid ? Activations.Sigmoid(z) : z;
    }

    /// <summary>Softmax head: one thread per row; the row maximum is subtracted before exp so nothing overflows.</summary>
    [IlgpuKernel]
    public static void Softmax_forward(Index1D row, ArrayView<float> logits, ArrayView<float> bias, ArrayView<float> output, int cols)
    {
        int o = row * cols;
        float max = float.NegativeInfinity;
        for (int j = 0; j < cols; j++) max = XMax(max, logits[o + j] + bias[j]);
        float sum = 0f;
        for (int j = 0; j < cols; j++)
        {
            float e = MathF.Exp(logits[o + j] + bias[j] - max);
            output[o + j] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int j = 0; j < cols; j++) output[o + j] *= inv;
    }

    /// <summary>
    /// One explicitly grouped launch of a single group: every thread walks whole rows grid-stride (masked rows write a
    /// zero gradient and add no loss), writing the gradient and summing its share of the loss; a shared-memory tree
    /// reduces the sums (deterministic, no atomics) and thread 0 writes loss[0] (+)= scale * sum.
    /// </summary>
    [IlgpuKernel(ExplicitlyGrouped = true)]
    public static void HeadLoss_backward(ArrayView<float> output, ArrayView<float> targets, ArrayView<float> loss,
        ArrayView<float> gradient, ArrayView<int> lengths, HeadLossParams p)
    {
        var partial = SharedMemory.Allocate<float>(MaxReduceGroup);
        int tid = Group.IdxX, size = Group.DimX, rows = p.Steps * p.Batch, cols = p.Cols;
        float sum = 0f;
        for (int r = tid; r < rows; r += size)
        {
            int o = r * cols;
            bool masked = p.HasLengths != 0 && r / p.Batch >= lengths[r % p.Batch];
            for (int j = 0; j < cols; j++)
            {
                float g = 0f;
                if (!masked) sum += ElementLoss.Of(p.Head, output[o + j], targets[o + j], out g);
                if (p.HasGradient != 0) gradient[o + j] = p.Scale * g;
            }
        }
        partial[tid] = sum;
        Group.Barrier();
        for (int half = size / 2; half > 0; half /= 2)
        {
            if (tid < half) partial[tid] += partial[tid + half];
            Group.Barrier();
        }
        if (tid == 0)
            loss[0] = (p.Accumulate != 0 ? loss[0] : 0f) + p.Scale * partial[0];
    }

    private static float XMax(float a, float b) => a > b ? a : b;
}

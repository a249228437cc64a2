using ILGPU;

namespace RecurrentAE.Kernels.Ilgpu;

internal struct BceParams
{
    public int Count, Accumulate, HasGradient;
    public float Scale;
}

/// <summary>The Dense head: bias + sigmoid forward, and the binary cross-entropy loss with its fused gradient.</summary>
internal static class DenseBceKernels
{
    /// <summary>Threads of the single reduction group are capped here (shared memory is sized for it).</summary>
    public const int MaxReduceGroup = 256;

    /// <summary>probabilities[r, j] = sigmoid(logits[r, j] + bias[j]), one thread per element.</summary>
    public static void BiasSigmoid_forward(Index1D index, ArrayView<float> logits, ArrayView<float> bias, ArrayView<float> probabilities, int cols)
    {
        int j = index % cols;
        probabilities[index] = Activations.Sigmoid(logits[index] + bias[j]);
    }

    /// <summary>
    /// One explicitly grouped launch of a single group: every thread walks the elements grid-stride, writing the
    /// gradient through the sigmoid and summing its share of the loss; a shared-memory tree reduces the sums
    /// (deterministic, no atomics) and thread 0 writes loss[0] (+)= scale * sum. The group size is a power of two.
    /// </summary>
    public static void Bce_backward(ArrayView<float> probabilities, ArrayView<float> targets, ArrayView<float> loss,
        ArrayView<float> gradient, BceParams p)
    {
        var partial = SharedMemory.Allocate<float>(MaxReduceGroup);
        int tid = Group.IdxX;
        int size = Group.DimX;
        float sum = 0f;
        for (int i = tid; i < p.Count; i += size)
        {
            float prob = probabilities[i], y = targets[i];
            float pc = prob < BceClip.Epsilon ? BceClip.Epsilon : (prob > 1f - BceClip.Epsilon ? 1f - BceClip.Epsilon : prob);
            sum += -(y * MathF.Log(pc) + (1f - y) * MathF.Log(1f - pc));
            if (p.HasGradient != 0)
                gradient[i] = BceClip.IsClipped(prob) ? 0f : p.Scale * (prob - y);
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
}

namespace RecurrentAE.Kernels;

/// <summary>
/// Each output head's loss for one value and its gradient with respect to the logit (the gradient fused through the
/// activation, see <see cref="HeadLossArgs"/>): the one definition that the ILGPU head kernel, the CPU heads and
/// inference's per-step errors call. Static methods on plain floats that allocate nothing, so ILGPU compiles them into
/// its kernels (the vectorised BCE of the CPU backend's hot path uses the same <see cref="BceClip"/>).
/// </summary>
internal static class ElementLoss
{
    /// <summary>A softmax probability that underflowed to 0 has its log taken at the smallest normal float instead of -inf.</summary>
    public const float LogFloor = 1.17549435e-38f;

    /// <summary>Binary cross-entropy with Keras's clip, -(y log p + (1-y) log(1-p)) with p clipped to [1e-7, 1-1e-7];
    /// gradient p - y, 0 where the clip is active.</summary>
    public static float Bce(float p, float y, out float gradient)
    {
        float pc = BceClip.Clamp(p);
        gradient = BceClip.IsClipped(p) ? 0f : p - y;
        return -(y * MathF.Log(pc) + (1f - y) * MathF.Log(1f - pc));
    }

    /// <summary>Squared error (p - y)^2; gradient 2 (p - y).</summary>
    public static float SquaredError(float p, float y, out float gradient)
    {
        float d = p - y;
        gradient = 2f * d;
        return d * d;
    }

    /// <summary>One value's share of the categorical cross-entropy, -y log p (0 where y = 0; p floored at
    /// <see cref="LogFloor"/>, a NaN kept); gradient through the softmax p - y.</summary>
    public static float CrossEntropy(float p, float y, out float gradient)
    {
        gradient = p - y;
        return y == 0f ? 0f : -y * MathF.Log(p < LogFloor ? LogFloor : p);
    }

    /// <summary>The loss of <paramref name="head"/> (an <see cref="OutputHead"/> as an int, as kernels take it).</summary>
    public static float Of(int head, float p, float y, out float gradient)
    {
        if (head == (int)OutputHead.Sigmoid) return Bce(p, y, out gradient);
        if (head == (int)OutputHead.Linear) return SquaredError(p, y, out gradient);
        return CrossEntropy(p, y, out gradient);
    }
}

namespace RecurrentAE.Kernels;

/// <summary>Keras clips probabilities to [epsilon, 1 - epsilon] before the log (backend.epsilon() = 1e-7).</summary>
internal static class BceClip
{
    public const float Epsilon = 1e-7f;

    /// <summary>Where the clip is active its gradient is zero (tf.clip_by_value passes none).</summary>
    public static bool IsClipped(float p) => p < Epsilon || p > 1f - Epsilon;

    /// <summary>p clipped to [epsilon, 1 - epsilon] (plain comparisons, so ILGPU kernels can call it too).</summary>
    public static float Clamp(float p) => p < Epsilon ? Epsilon : (p > 1f - Epsilon ? 1f - Epsilon : p);
}

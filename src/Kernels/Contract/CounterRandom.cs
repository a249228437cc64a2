namespace RecurrentAE.Kernels;

/// <summary>
/// The key of a counter-based random stream: SplitMix64 of (seed, step, stream), so draw i of a step is a pure function
/// of (seed, step, i), the same on every backend and thread count, and a resumed run (its step restored) draws what an
/// uninterrupted one would. Streams keep the noise, the input dropout and the reparameterisation independent.
/// </summary>
/// <param name="Value">The 64-bit key (see <see cref="For"/>).</param>
public readonly record struct CounterKey(ulong Value)
{
    /// <summary>Gaussian input noise (denoising).</summary>
    public const ulong NoiseStream = 0x6E6F_6973_6500_0001UL; // "noise"
    /// <summary>Input dropout (denoising).</summary>
    public const ulong DropoutStream = 0x6472_6F70_0000_0002UL; // "drop"
    /// <summary>The reparameterisation's eps (variational).</summary>
    public const ulong ReparameterizationStream = 0x7265_7061_7200_0003UL; // "repar"

    /// <summary>The key of <paramref name="stream"/> at <paramref name="step"/> of a run seeded with <paramref name="seed"/>.</summary>
    public static CounterKey For(int seed, long step, ulong stream) =>
        new(CounterRandom.Mix(CounterRandom.Mix((ulong)(uint)seed ^ stream) + (ulong)step));
}

/// <summary>
/// Draws of a counter-based stream (SplitMix64 finaliser of key + i * golden ratio), used by both backends' kernels (the
/// ILGPU ones compile these methods). Uniforms carry 24 bits, exactly representable in a float.
/// </summary>
public static class CounterRandom
{
    private const ulong Golden = 0x9E37_79B9_7F4A_7C15UL;
    private const float Inv24 = 1f / (1 << 24);

    /// <summary>SplitMix64's finaliser (Steele, Lea and Flood 2014).</summary>
    public static ulong Mix(ulong z)
    {
        z += Golden;
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The 64 random bits of draw <paramref name="i"/>.</summary>
    public static ulong Bits(CounterKey key, long i) => Mix(key.Value + (ulong)i * Golden);

    /// <summary>A uniform draw in [0, 1) with 24 bits: the top bits of draw <paramref name="i"/>.</summary>
    public static float Uniform(CounterKey key, long i) => (Bits(key, i) >> 40) * Inv24;

    /// <summary>The two uniforms of Box-Muller from one draw: u1 in (0, 1] (so its log is finite), u2 in [0, 1).</summary>
    public static (float U1, float U2) UniformPair(CounterKey key, long i)
    {
        ulong h = Bits(key, i);
        return (((h >> 40) + 1) * Inv24, ((h >> 16) & 0xFF_FFFF) * Inv24);
    }

    /// <summary>A standard normal draw by Box-Muller (Box and Muller 1958): sqrt(-2 ln u1) cos(2 pi u2), in float arithmetic.</summary>
    public static float Gaussian(CounterKey key, long i)
    {
        ulong h = Bits(key, i);
        float u1 = ((h >> 40) + 1) * Inv24, u2 = ((h >> 16) & 0xFF_FFFF) * Inv24;
        return MathF.Sqrt(-2f * MathF.Log(u1)) * MathF.Cos(2f * MathF.PI * u2);
    }
}

/// <summary>The sparse autoencoder's penalties on sigmoid codings (Géron, Hands-on ML, ch. 17, sparse autoencoder;
/// Ng's sparse autoencoder notes): <see cref="Weight"/> * sum_j KL(P || q_j), q_j being unit j's mean activation over the
/// batch, plus <see cref="L1"/> * sum |coding| / rows (Keras's activity L1, divided by the batch size as Keras does).</summary>
/// <param name="Target">P, the target mean activation, in (0, 1).</param>
/// <param name="Weight">The KL term's weight (0: off).</param>
/// <param name="L1">The L1 activity penalty's weight (0: off).</param>
public readonly record struct SparsityPenalty(float Target, float Weight, float L1)
{
    /// <summary>Mean activations are clamped to [Floor, 1 - Floor] before the logs (a saturated sigmoid would give infinities).</summary>
    public const float Floor = 1e-6f;
}

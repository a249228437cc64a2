using RecurrentAE.Kernels;

namespace RecurrentAE.Model.Generation;

/// <summary>Codings to decode into new sequences with a variational model: draws from its prior N(0, I), and the points
/// on the line between two codings (Bowman et al. 2016, section 4: homotopies between sentences).</summary>
public static class LatentCodes
{
    /// <summary><paramref name="count"/> codings of <paramref name="size"/> values drawn from N(0, I), (count, size): the same
    /// for the same seed (counter-based draws, <see cref="CounterRandom.Gaussian"/>).</summary>
    public static float[] Normal(int count, int size, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        var key = CounterKey.For(seed, 0, CounterKey.ReparameterizationStream);
        var codes = new float[count * size];
        for (int i = 0; i < codes.Length; i++) codes[i] = CounterRandom.Gaussian(key, i);
        return codes;
    }

    /// <summary><paramref name="steps"/> (at least 2) codings evenly spaced from <paramref name="from"/> to <paramref name="to"/>,
    /// both included: row k is from + k / (steps - 1) (to - from).</summary>
    public static float[] Line(ReadOnlySpan<float> from, ReadOnlySpan<float> to, int steps)
    {
        if (from.Length != to.Length) throw new ArgumentException($"codings of {from.Length} and {to.Length} values");
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 2);
        int size = from.Length;
        var codes = new float[steps * size];
        for (int k = 0; k < steps; k++)
        {
            float a = k / (float)(steps - 1);
            for (int j = 0; j < size; j++) codes[k * size + j] = from[j] + a * (to[j] - from[j]);
        }
        return codes;
    }
}

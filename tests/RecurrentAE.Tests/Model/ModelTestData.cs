using RecurrentAE.Model;

namespace RecurrentAE.Tests.Model;

internal static class ModelTestData
{
    /// <summary>A small model with two encoder and two decoder layers, so every stacking path is exercised.</summary>
    public static AutoencoderSpec SmallSpec { get; } = new(3, [5, 2], [4, 3]);

    /// <summary>Uniform [0, 1) values, batch-major.</summary>
    public static float[] RandomSequences(Random random, int count, int steps, int features)
    {
        var v = new float[count * steps * features];
        for (int i = 0; i < v.Length; i++) v[i] = (float)random.NextDouble();
        return v;
    }

    public static int FreshSeed() => Random.Shared.Next();
}

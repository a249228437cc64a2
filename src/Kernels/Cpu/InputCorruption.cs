namespace RecurrentAE.Kernels.Cpu;

/// <summary>Denoising's input corruption on the CPU (see <see cref="IComputeBackend.CorruptInputs"/>). Forward only: the
/// data gets no gradient. One scalar pass: a batch is tens of thousands of values, small beside the LSTMs.</summary>
internal static class InputCorruption
{
    public static void Forward(ReadOnlySpan<float> x, float noiseStd, float dropout, CounterKey noiseKey, CounterKey dropoutKey, Span<float> y)
    {
        float keepScale = dropout > 0 ? 1f / (1f - dropout) : 1f;
        for (int i = 0; i < x.Length; i++)
        {
            float v = x[i];
            if (dropout > 0) v = CounterRandom.Uniform(dropoutKey, i) < dropout ? 0f : v * keepScale;
            if (noiseStd > 0) v += noiseStd * CounterRandom.Gaussian(noiseKey, i);
            y[i] = v;
        }
    }
}

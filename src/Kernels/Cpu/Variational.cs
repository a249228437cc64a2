namespace RecurrentAE.Kernels.Cpu;

/// <summary>The variational coding on the CPU: the reparameterisation and the KL divergence to N(0, I), each forward
/// beside its backward (see <see cref="IComputeBackend.Reparameterize"/>, <see cref="IComputeBackend.KlDivergence"/>).
/// Scalar loops: a batch's codings are a few thousand values.</summary>
internal static class Variational
{
    public static void ReparameterizeForward(ReadOnlySpan<float> mean, ReadOnlySpan<float> logVar, CounterKey key, Span<float> coding)
    {
        for (int i = 0; i < coding.Length; i++)
            coding[i] = mean[i] + MathF.Exp(0.5f * logVar[i]) * CounterRandom.Gaussian(key, i);
    }

    /// <summary>d coding / d mean = 1; d coding / d logVar = exp(logVar / 2) eps / 2, eps redrawn from the key.</summary>
    public static void ReparameterizeBackward(ReadOnlySpan<float> logVar, ReadOnlySpan<float> codingGradient, CounterKey key,
        Span<float> meanGradient, Span<float> logVarGradient)
    {
        for (int i = 0; i < codingGradient.Length; i++)
        {
            float g = codingGradient[i];
            meanGradient[i] = g;
            logVarGradient[i] = g * 0.5f * MathF.Exp(0.5f * logVar[i]) * CounterRandom.Gaussian(key, i);
        }
    }

    /// <summary>sum_i -0.5 (1 + lv - m^2 - exp(lv)), accumulated in float64 in index order (Kingma and Welling 2014, appendix B).</summary>
    public static double KlForward(ReadOnlySpan<float> mean, ReadOnlySpan<float> logVar)
    {
        double sum = 0;
        for (int i = 0; i < mean.Length; i++)
            sum += -0.5f * (1f + logVar[i] - mean[i] * mean[i] - MathF.Exp(logVar[i]));
        return sum;
    }

    /// <summary>d/d mean = scale m; d/d logVar = scale (exp(lv) - 1) / 2; added to the gradients.</summary>
    public static void KlBackward(ReadOnlySpan<float> mean, ReadOnlySpan<float> logVar, float scale, Span<float> meanGradient, Span<float> logVarGradient)
    {
        for (int i = 0; i < mean.Length; i++)
        {
            meanGradient[i] += scale * mean[i];
            logVarGradient[i] += scale * 0.5f * (MathF.Exp(logVar[i]) - 1f);
        }
    }
}

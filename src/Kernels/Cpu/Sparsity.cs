namespace RecurrentAE.Kernels.Cpu;

/// <summary>The sparse autoencoder's penalties on sigmoid codings on the CPU, forward beside backward (see
/// <see cref="IComputeBackend.SparsityPenalty"/>). Scalar loops over a batch's codings (rows x cols, small).</summary>
internal static class Sparsity
{
    /// <summary>Unit j's mean activation over the rows, clamped as the penalty's logs need.</summary>
    public static float MeanActivation(ReadOnlySpan<float> coding, int rows, int cols, int j)
    {
        float sum = 0f;
        for (int r = 0; r < rows; r++) sum += coding[r * cols + j];
        return Math.Clamp(sum / rows, SparsityPenalty.Floor, 1f - SparsityPenalty.Floor);
    }

    /// <summary>W sum_j KL(P || q_j) + L1 sum |c| / rows, summed in float64 column by column.</summary>
    public static double Forward(ReadOnlySpan<float> coding, int rows, int cols, SparsityPenalty p)
    {
        double sum = 0;
        for (int j = 0; j < cols; j++)
        {
            float term = 0f;
            if (p.Weight != 0)
            {
                float q = MeanActivation(coding, rows, cols, j), t = p.Target;
                term += p.Weight * (t * MathF.Log(t / q) + (1f - t) * MathF.Log((1f - t) / (1f - q)));
            }
            if (p.L1 != 0)
            {
                float abs = 0f;
                for (int r = 0; r < rows; r++) abs += MathF.Abs(coding[r * cols + j]);
                term += p.L1 * abs / rows;
            }
            sum += term;
        }
        return sum;
    }

    /// <summary>Overwrites the logit gradient: (upstream + the penalties' gradient) times the sigmoid's derivative.</summary>
    public static void Backward(ReadOnlySpan<float> coding, ReadOnlySpan<float> codingGradient, int rows, int cols, SparsityPenalty p, Span<float> logitGradient)
    {
        for (int j = 0; j < cols; j++)
        {
            float dq = 0f;
            if (p.Weight != 0)
            {
                float q = MeanActivation(coding, rows, cols, j), t = p.Target;
                dq = p.Weight * (-t / q + (1f - t) / (1f - q)) / rows;
            }
            for (int r = 0; r < rows; r++)
            {
                int i = r * cols + j;
                float c = coding[i];
                float g = codingGradient[i] + dq + p.L1 * MathF.Sign(c) / rows;
                logitGradient[i] = g * c * (1f - c);
            }
        }
    }
}

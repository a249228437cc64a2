namespace RecurrentAE.Kernels.Cpu;

/// <summary>The output heads on the CPU (see <see cref="HeadLossArgs"/>), scalar: the general path for every head,
/// masked or not. The backend sends the hot unmasked sigmoid case to its vectorised kernels.</summary>
internal static class CpuHeads
{
    public static void Forward(OutputHead head, ReadOnlySpan<float> logits, ReadOnlySpan<float> bias, int rows, int cols, Span<float> output)
    {
        for (int r = 0; r < rows; r++)
        {
            var z = logits.Slice(r * cols, cols);
            var o = output.Slice(r * cols, cols);
            switch (head)
            {
                case OutputHead.Sigmoid:
                    for (int j = 0; j < cols; j++) o[j] = Activations.Sigmoid(z[j] + bias[j]);
                    break;
                case OutputHead.Linear:
                    for (int j = 0; j < cols; j++) o[j] = z[j] + bias[j];
                    break;
                default:
                    // Stable softmax: subtract the row maximum before exp.
                    float max = float.NegativeInfinity;
                    for (int j = 0; j < cols; j++) max = MathF.Max(max, z[j] + bias[j]);
                    float sum = 0;
                    for (int j = 0; j < cols; j++) { o[j] = MathF.Exp(z[j] + bias[j] - max); sum += o[j]; }
                    float inv = 1f / sum;
                    for (int j = 0; j < cols; j++) o[j] *= inv;
                    break;
            }
        }
    }

    /// <summary>Returns the unscaled loss sum over the rows [firstRow, endRow); writes the scaled gradient when asked.</summary>
    public static double LossRows(in HeadLossArgs a, ReadOnlySpan<float> output, ReadOnlySpan<float> targets, int[]? lengths,
        Span<float> gradient, int firstRow, int endRow)
    {
        int cols = a.Cols;
        bool withGradient = !gradient.IsEmpty;
        double sum = 0;
        for (int r = firstRow; r < endRow; r++)
        {
            int o = r * cols;
            if (lengths != null && r / a.Batch >= lengths[r % a.Batch])
            {
                if (withGradient) gradient.Slice(o, cols).Clear();
                continue;
            }
            for (int j = 0; j < cols; j++)
            {
                sum += ElementLoss.Of((int)a.Head, output[o + j], targets[o + j], out float g);
                if (withGradient) gradient[o + j] = a.Scale * g;
            }
        }
        return sum;
    }
}

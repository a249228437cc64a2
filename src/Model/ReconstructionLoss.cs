using RecurrentAE.Kernels;

namespace RecurrentAE.Model;

/// <summary>The head's loss between a reconstruction and its target, on the host in float64: per value, and as the mean
/// that <see cref="RecurrentAutoencoder.Evaluate"/> reports (over each sequence's own steps; per value, or per step for
/// softmax). For outputs computed elsewhere, e.g. an exported graph run by another runtime.</summary>
public static class ReconstructionLoss
{
    /// <summary>One value's loss: binary cross-entropy with Keras's clipping, squared error, or -y log p (cross-entropy),
    /// the kernels' own <see cref="ElementLoss"/>.</summary>
    public static double Element(OutputHead head, float p, float y) => ElementLoss.Of((int)head, p, y, out _);

    /// <summary>One step's loss: the mean of its values' losses over the step's features for bce and mse, their sum (the
    /// cross-entropy of the step's symbol) for softmax; summed in float64.</summary>
    public static double Step(OutputHead head, ReadOnlySpan<float> output, ReadOnlySpan<float> target)
    {
        double sum = 0;
        for (int i = 0; i < output.Length; i++) sum += Element(head, output[i], target[i]);
        return head == OutputHead.Softmax ? sum : sum / output.Length;
    }

    /// <summary>The mean loss of <paramref name="reconstruction"/> (batch-major, padded like <paramref name="targets"/>) over
    /// every sequence's own steps, as <see cref="RecurrentAutoencoder.Evaluate"/> computes it on the device.</summary>
    public static double Mean(OutputHead head, SequenceDataset targets, ReadOnlySpan<float> reconstruction)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (reconstruction.Length != targets.Values.Length)
            throw new ArgumentException($"{reconstruction.Length} values for {targets.Values.Length} targets");
        double sum = 0;
        long steps = 0;
        int f = targets.Features;
        for (int n = 0; n < targets.Count; n++)
        {
            int len = targets.LengthOf(n), o = n * targets.SequenceLength;
            for (int i = o; i < o + len * f; i++) sum += Element(head, reconstruction[i], targets.Values[i]);
            steps += len;
        }
        return head == OutputHead.Softmax ? sum / steps : sum / (steps * f);
    }
}

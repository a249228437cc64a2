namespace RecurrentAE.Runner.Onnx;

/// <summary>The loss <c>rae evaluate</c> prints, computed from an exported autoencoder graph run by ONNX Runtime: the
/// graph takes the data in its own units and returns the reconstruction in them, so the data is put back in its units
/// before and the reconstruction in the model's space after (the identity for an unstandardised model).</summary>
internal static class OnnxEvaluation
{
    /// <summary>The mean loss of the graph at <paramref name="path"/> (open in <paramref name="session"/>) on
    /// <paramref name="data"/>, the sequences in the model's space (standardised as in training) as our evaluation takes them.</summary>
    public static double MeanLoss(OnnxSession session, AutoencoderSpec spec, Standardizer? standardizer, SequenceDataset data, int batchSize, string path)
    {
        if (!session.Inputs.Contains("input") || !session.Outputs.Contains("reconstruction"))
            throw new UsageException($"{path}: not an autoencoder graph (export it with 'rae export --part autoencoder')");
        if (data.IsRagged && !session.TakesLengths)
            throw new UsageException($"{path}: these sequences differ in length and the graph has no 'lengths' input (export it with 'rae export --lengths')");
        var raw = standardizer is null ? data : standardizer.Invert(data);
        var reconstruction = new float[data.Values.Length];
        for (int start = 0; start < data.Count; start += batchSize)
        {
            var batch = raw.Take(start, Math.Min(batchSize, data.Count - start));
            var output = session.Reconstruct(batch.Values, batch.Count, batch.Steps, batch.Features, batch.Lengths);
            output.CopyTo(reconstruction, start * data.SequenceLength);
        }
        if (standardizer is not null)
            reconstruction = standardizer.Apply(new SequenceDataset(reconstruction, data.Count, data.Steps, data.Features, lengths: data.Lengths)).Values;
        return ReconstructionLoss.Mean(spec.Head, data, reconstruction);
    }
}

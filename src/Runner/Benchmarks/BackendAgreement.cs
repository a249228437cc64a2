namespace RecurrentAE.Runner.Benchmarks;

/// <summary>The same weights and the same batch on two backends: how far apart their loss and gradients are.</summary>
internal sealed record AgreementResult(string Backend, string Baseline, double Loss, double BaselineLoss,
    double LossRelativeError, double GradientRelativeError, string WorstParameter)
{
    public bool Passes(double tolerance = 1e-4) => LossRelativeError < tolerance && GradientRelativeError < tolerance;
}

internal static class BackendAgreement
{
    /// <summary>Gradient error is measured per tensor against its largest entry, and the worst tensor is reported.</summary>
    public static AgreementResult Compare(IComputeBackend backend, IComputeBackend baseline, AutoencoderSpec spec, int batch, int steps, int seed = 3)
    {
        var random = new Random(seed);
        var values = new float[batch * steps * spec.Features];
        for (int i = 0; i < values.Length; i++) values[i] = (float)random.NextDouble();
        var data = new SequenceDataset(values, batch, steps, spec.Features);

        using var a = new RecurrentAutoencoder(backend, spec, seed, maxBatch: batch);
        using var b = new RecurrentAutoencoder(baseline, spec, seed, maxBatch: batch);
        float lossA = a.ComputeGradients(data), lossB = b.ComputeGradients(data);
        float[] ga = a.GetGradients(), gb = b.GetGradients();
        double worst = 0;
        string worstName = "";
        foreach (var p in a.Parameters)
        {
            double scale = 1e-12, diff = 0;
            for (int i = p.Offset; i < p.Offset + p.Length; i++)
            {
                scale = Math.Max(scale, Math.Abs(gb[i]));
                diff = Math.Max(diff, Math.Abs(ga[i] - gb[i]));
            }
            if (diff / scale > worst) { worst = diff / scale; worstName = p.Name; }
        }
        return new AgreementResult(backend.Name, baseline.Name, lossA, lossB, Math.Abs(lossA - lossB) / Math.Abs(lossB), worst, worstName);
    }
}

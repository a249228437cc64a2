namespace RecurrentAE.Runner.Benchmarks;

/// <summary>The arithmetic of a model the way Keras runs it (each repeated decoder input projected at every step; with
/// teacher forcing the first decoder LSTM's input is [coding ; previous step]), so GFLOP/s figures compare with other
/// frameworks. A training step is counted as 3x the forward pass.</summary>
internal static class ModelFlops
{
    public static double ForwardPerSequence(AutoencoderSpec spec, int steps)
    {
        double flops = 0;
        int input = spec.Features, layer = 0;
        foreach (int u in spec.EncoderUnits.Concat(spec.DecoderUnits))
        {
            if (layer++ == spec.EncoderUnits.Count && spec.TeacherForcing) input += spec.Features;
            flops += steps * (2.0 * input * 4 * u + 2.0 * u * 4 * u);
            input = u;
        }
        return flops + steps * 2.0 * input * spec.Features;
    }

    public static double TrainingStep(AutoencoderSpec spec, int steps, int batch) => 3 * ForwardPerSequence(spec, steps) * batch;
}

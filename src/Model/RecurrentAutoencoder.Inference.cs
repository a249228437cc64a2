using RecurrentAE.Kernels;

namespace RecurrentAE.Model;

/// <summary>Using a trained model: codings, decoded and reconstructed sequences, and per-sequence and per-step reconstruction errors.</summary>
public sealed partial class RecurrentAutoencoder
{
    /// <summary>Each sequence's mean loss over its own steps and features (its reconstruction error), in input order:
    /// the mean of its <see cref="StepErrors"/> over its own steps.</summary>
    public double[] SequenceErrors(SequenceDataset data)
    {
        var steps = StepErrorsOf(data);
        var errors = new double[data.Count];
        for (int n = 0; n < data.Count; n++)
        {
            int len = data.LengthOf(n);
            double sum = 0;
            for (int t = 0; t < len; t++) sum += steps[n * data.Steps + t];
            errors[n] = sum / len;
        }
        return errors;
    }

    /// <summary>
    /// Each sequence's loss at each of its steps, (count, steps) batch-major and in INPUT step order (also when the decoder
    /// emits the sequence reversed): the mean over the step's features for bce and mse, the cross-entropy of the step's
    /// symbol for softmax. Padded steps (past a sequence's own length) are NaN. A sequence's <see cref="SequenceErrors"/>
    /// is the mean of its own steps' errors.
    /// </summary>
    public float[] StepErrors(SequenceDataset data)
    {
        var steps = StepErrorsOf(data);
        var result = new float[steps.Length];
        for (int i = 0; i < steps.Length; i++) result[i] = (float)steps[i];
        return result;
    }

    /// <summary>Per-step losses in float64 (NaN on padding), summed over a step's features in float64 from the float32 reconstruction.</summary>
    private double[] StepErrorsOf(SequenceDataset data)
    {
        var reconstruction = Reconstruct(data);
        var errors = new double[data.Count * data.Steps];
        int f = Spec.Features;
        double perStep = Spec.Head == OutputHead.Softmax ? 1 : f;
        for (int n = 0; n < data.Count; n++)
        {
            int len = data.LengthOf(n);
            for (int t = 0; t < data.Steps; t++)
            {
                if (t >= len) { errors[n * data.Steps + t] = double.NaN; continue; }
                double sum = 0;
                int o = (n * data.Steps + t) * f;
                for (int i = 0; i < f; i++) sum += ElementLoss(reconstruction[o + i], data.Values[o + i]);
                errors[n * data.Steps + t] = sum / perStep;
            }
        }
        return errors;
    }

    private double ElementLoss(float p, float y) => Spec.Head switch
    {
        OutputHead.Sigmoid => -(y * Math.Log(BceClip.Clamp(p)) + (1 - y) * Math.Log(1 - BceClip.Clamp(p))),
        OutputHead.Linear => (p - y) * (double)(p - y),
        _ => y == 0 ? 0 : -y * Math.Log(Math.Max(p, HeadNumerics.LogFloor)),
    };

    /// <summary>Codings of host sequences, batch-major (count, steps, features) -> (count, coding).</summary>
    public float[] Encode(ReadOnlySpan<float> sequences, int count, int steps) =>
        Encode(new SequenceDataset(sequences.ToArray(), count, steps, Spec.Features));

    /// <summary>Codings of a data set's sequences (each at its own last step), (count, coding).</summary>
    public float[] Encode(SequenceDataset sequences)
    {
        int coding = Spec.CodingSize, count = sequences.Count, steps = sequences.Steps;
        var result = new float[count * coding];
        using var data = Upload(sequences);
        for (int start = 0; start < count; start += _maxBatch)
        {
            int batch = Math.Min(_maxBatch, count - start);
            var (x, lengths, _) = Prepare(data, data.Identity, start, batch);
            EncodeBatch(x, steps, batch, lengths);
            Backend.Download(CodingOf(steps, batch), result.AsSpan(start * coding, batch * coding));
        }
        return result;
    }

    /// <summary>Sequences of <paramref name="steps"/> steps decoded from codings (count, coding) -> (count, steps, features);
    /// greedily, step by step, for a teacher-forced model.</summary>
    public float[] Decode(ReadOnlySpan<float> codings, int count, int steps)
    {
        int coding = Spec.CodingSize;
        if (codings.Length != count * coding) throw new ArgumentException($"{codings.Length} values are not {count} codings of {coding}");
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps));
        var result = new float[count * steps * Spec.Features];
        for (int start = 0; start < count; start += _maxBatch)
        {
            int batch = Math.Min(_maxBatch, count - start);
            var c = _codings.Get(batch * coding);
            Backend.Upload(codings.Slice(start * coding, batch * coding), c);
            if (_conditioned is null) DecodeBatch(c, default, steps, batch);
            else DecodeGreedy(c, steps, batch);
            CopyToBatchMajor(_head.Output, steps, batch, result, start);
        }
        return Spec.ReverseOutput ? DeviceDataset.ReverseEach(result, count, steps, Spec.Features, _ => steps) : result;
    }

    /// <summary>Each sequence encoded and decoded again, batch-major (count, steps, features).</summary>
    public float[] Reconstruct(ReadOnlySpan<float> sequences, int count, int steps) =>
        Reconstruct(new SequenceDataset(sequences.ToArray(), count, steps, Spec.Features));

    /// <summary>Each sequence encoded and decoded again, padded like the input (steps past a sequence's length are not
    /// meaningful); a teacher-forced model decodes greedily, fed its own previous outputs, not the input.</summary>
    public float[] Reconstruct(SequenceDataset sequences)
    {
        int count = sequences.Count, steps = sequences.Steps;
        var result = new float[count * steps * Spec.Features];
        using var data = Upload(sequences);
        for (int start = 0; start < count; start += _maxBatch)
        {
            int batch = Math.Min(_maxBatch, count - start);
            var (x, lengths, _) = Prepare(data, data.Identity, start, batch);
            EncodeBatch(x, steps, batch, lengths);
            if (_conditioned is null) DecodeBatch(CodingOf(steps, batch), default, steps, batch);
            else DecodeGreedy(CodingOf(steps, batch), steps, batch);
            CopyToBatchMajor(_head.Output, steps, batch, result, start);
        }
        return Spec.ReverseOutput ? DeviceDataset.ReverseEach(result, count, steps, Spec.Features, sequences.LengthOf) : result;
    }

    private void CopyToBatchMajor(Slice timeMajor, int steps, int batch, float[] result, int firstSequence)
    {
        int f = Spec.Features;
        var host = Download(timeMajor);
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < batch; b++)
                host.AsSpan((t * batch + b) * f, f).CopyTo(result.AsSpan(((firstSequence + b) * steps + t) * f, f));
    }
}

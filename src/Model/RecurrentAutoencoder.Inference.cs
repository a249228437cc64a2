using RecurrentAE.Kernels;
using RecurrentAE.Model.Layers;

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

    /// <summary>Per-step losses in float64 (NaN on padding), summed over a step's features in float64 from the float32
    /// reconstruction; reconstructed a batch at a time, so a large set never has its whole reconstruction in memory
    /// (81,000 text lines of 83 symbols: 1.1 GB).</summary>
    private double[] StepErrorsOf(SequenceDataset data)
    {
        var sequences = Host(data);
        var errors = new double[data.Count * data.Steps];
        int f = Spec.Features, steps = data.Steps;
        var batchReconstruction = new float[Math.Min(_maxBatch, data.Count) * steps * f];
        ForEachEncodedBatch(sequences, (start, batch) =>
        {
            DecodeForInference(CodingOf(steps, batch), steps, batch);
            CopyToBatchMajor(_head.Output, steps, batch, batchReconstruction, 0, data.IsRagged ? data.Lengths![start..(start + batch)] : null, Spec.ReverseOutput);
            for (int n = start; n < start + batch; n++)
            {
                int len = data.LengthOf(n);
                for (int t = 0; t < steps; t++)
                {
                    int o = (n * steps + t) * f;
                    errors[n * steps + t] = t < len
                        ? ReconstructionLoss.Step(Spec.Head, batchReconstruction.AsSpan(o - start * steps * f, f), data.Values.AsSpan(o, f))
                        : double.NaN;
                }
            }
        });
        return errors;
    }

    /// <summary>Codings of host sequences, batch-major (count, steps, features) -> (count, coding).</summary>
    public float[] Encode(ReadOnlySpan<float> sequences, int count, int steps) => EncodeAll(Host(sequences, count, steps));

    /// <summary>Codings of a data set's sequences (each at its own last step), (count, coding).</summary>
    public float[] Encode(SequenceDataset sequences) => EncodeAll(Host(sequences));

    private float[] EncodeAll(HostSequences sequences)
    {
        int coding = Spec.CodingSize, steps = sequences.Steps;
        var result = new float[sequences.Count * coding];
        ForEachEncodedBatch(sequences,
            (start, batch) => Backend.Download(CodingOf(steps, batch), result.AsSpan(start * coding, batch * coding)));
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
            DecodeForInference(c, steps, batch);
            CopyToBatchMajor(_head.Output, steps, batch, result, start, null, Spec.ReverseOutput);
        }
        return result;
    }

    /// <summary>Each sequence encoded and decoded again, batch-major (count, steps, features).</summary>
    public float[] Reconstruct(ReadOnlySpan<float> sequences, int count, int steps) => ReconstructAll(Host(sequences, count, steps));

    /// <summary>Each sequence encoded and decoded again, padded like the input (steps past a sequence's length are not
    /// meaningful); a teacher-forced model decodes greedily, fed its own previous outputs, not the input.</summary>
    public float[] Reconstruct(SequenceDataset sequences) => ReconstructAll(Host(sequences));

    private float[] ReconstructAll(HostSequences sequences)
    {
        int steps = sequences.Steps;
        var lengths = sequences.Lengths;
        var result = new float[sequences.Count * steps * Spec.Features];
        ForEachEncodedBatch(sequences, (start, batch) =>
        {
            DecodeForInference(CodingOf(steps, batch), steps, batch);
            CopyToBatchMajor(_head.Output, steps, batch, result, start, lengths, Spec.ReverseOutput);
        });
        return result;
    }

    /// <summary>The decoder's outputs for a batch's codings into the head's Output: greedily, fed its own previous outputs,
    /// for a teacher-forced model (it has no targets at inference); otherwise the plain decoder.</summary>
    private void DecodeForInference(Slice coding, int steps, int batch)
    {
        if (_conditioned is null) DecodeBatch(coding, default, steps, batch);
        else DecodeGreedy(coding, steps, batch);
    }

    /// <summary>Batch-major host values (count, steps, features) of the model's features, and each sequence's own length
    /// (null: all <see cref="Steps"/>).</summary>
    private readonly ref struct HostSequences(ReadOnlySpan<float> values, int[]? lengths, int count, int steps)
    {
        public ReadOnlySpan<float> Values { get; } = values;
        public int[]? Lengths { get; } = lengths;
        public int Count { get; } = count;
        public int Steps { get; } = steps;
    }

    private HostSequences Host(ReadOnlySpan<float> values, int count, int steps)
    {
        if (count < 0 || steps < 1 || values.Length != (long)count * steps * Spec.Features)
            throw new ArgumentException($"{values.Length} values are not {count} sequences of {steps} steps of {Spec.Features} features");
        return new HostSequences(values, null, count, steps);
    }

    private HostSequences Host(SequenceDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckFeatures(data.Features);
        return new HostSequences(data.Values, data.IsRagged ? data.Lengths : null, data.Count, data.Steps);
    }

    private void CheckFeatures(int features)
    {
        if (features != Spec.Features)
            throw new ArgumentException($"the data has {features} features a step, the model expects {Spec.Features}");
    }

    /// <summary>The sequences staged and encoded a batch of at most the model's batch size at a time; after each batch,
    /// <paramref name="encoded"/>(its first sequence, its size) uses the batch's codings (<see cref="CodingOf"/>).</summary>
    private void ForEachEncodedBatch(HostSequences sequences, Action<int, int> encoded)
    {
        for (int start = 0; start < sequences.Count; start += _maxBatch)
        {
            int batch = Math.Min(_maxBatch, sequences.Count - start);
            var (x, deviceLengths) = Stage(sequences.Values, sequences.Lengths, start, batch, sequences.Steps);
            EncodeBatch(x, sequences.Steps, batch, deviceLengths);
            encoded(start, batch);
        }
    }

    // Inference workspaces, kept between calls so that a call at a shape seen before allocates only its result.
    private GrowableBuffer? _staging;
    private BatchOrder? _inferenceOrder;
    private float[] _hostOutput = [];

    /// <summary>Sequences [first, first + batch) of batch-major host values uploaded and gathered time-major into the input
    /// workspace (no device data set, no copy on the host); with lengths (null: all full), the batch's lengths uploaded.</summary>
    private (Slice X, DeviceIndexArray? Lengths) Stage(ReadOnlySpan<float> values, int[]? lengths, int first, int batch, int steps)
    {
        int length = steps * Spec.Features;
        var staging = (_staging ??= new GrowableBuffer(Backend)).Get(batch * length);
        Backend.Upload(values.Slice(first * length, batch * length), staging);
        _inferenceOrder ??= BatchOrder.Identity(Backend, _maxBatch);
        var x = _input.Get(batch * length);
        Backend.GatherSequences(staging, GatherLayout.Sequences(steps, Spec.Features), _inferenceOrder.Device, 0, batch, x);
        if (lengths is null) return (x, null);
        lengths.AsSpan(first, batch).CopyTo(_hostBatchLengths);
        Backend.UploadIndices(_hostBatchLengths.AsSpan(0, batch), _batchLengths);
        return (x, _batchLengths);
    }

    /// <summary>Time-major (steps, batch, features) device values into sequences [first, first + batch) of a batch-major
    /// host result; with <paramref name="reverse"/> each sequence's first length steps back to front (undoing a reversed
    /// decoder; padding stays where it is, as <see cref="DeviceDataset.ReverseEach"/>).</summary>
    private void CopyToBatchMajor(Slice timeMajor, int steps, int batch, float[] result, int first, int[]? lengths = null, bool reverse = false)
    {
        int f = Spec.Features;
        if (_hostOutput.Length < timeMajor.Length) _hostOutput = new float[timeMajor.Length];
        var host = _hostOutput.AsSpan(0, timeMajor.Length);
        Backend.Download(timeMajor, host);
        for (int b = 0; b < batch; b++)
        {
            int length = lengths?[first + b] ?? steps;
            var sequence = result.AsSpan((first + b) * steps * f, steps * f);
            for (int t = 0; t < steps; t++)
            {
                int target = reverse && t < length ? length - 1 - t : t;
                host.Slice((t * batch + b) * f, f).CopyTo(sequence.Slice(target * f, f));
            }
        }
    }
}

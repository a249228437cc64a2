using RecurrentAE.Kernels;
using RecurrentAE.Model.Layers;
using RecurrentAE.Model.Optimization;
using RecurrentAE.Model.Training;

namespace RecurrentAE.Model;

/// <summary>
/// A recurrent autoencoder: a sequence-to-vector LSTM encoder (all layers return every step but the last, whose final
/// state is the coding) and a vector-to-sequence decoder (the coding repeated at every step, LSTMs, Dense + sigmoid at
/// every step, with the spec's output head), trained with that head's loss and Adam. Parameters, gradients and Adam's
/// moments are flat device buffers; activations are time-major workspaces that grow to the largest shape seen and are
/// reused. Sequences of different lengths are padded: the encoder's state stops at each sequence's own last step (so the
/// coding is that state), and padded steps add nothing to the loss or the gradients. With <see cref="AutoencoderSpec.TeacherForcing"/>
/// the decoder's first LSTM also sees the previous target step (<see cref="ConditionedDecoderInput"/>); such a model
/// trains and evaluates teacher forced and reconstructs greedily (RecurrentAutoencoder.Greedy.cs); with
/// <see cref="TeacherForcingDropout"/> its training steps blank previous steps at random (RecurrentAutoencoder.Dropout.cs).
/// </summary>
public sealed partial class RecurrentAutoencoder : IDisposable
{
    private readonly LstmLayer[] _encoder;
    private readonly LstmLayer[] _decoder;
    private readonly DenseHead _head;
    private readonly ConditionedDecoderInput? _conditioned;
    private readonly DeviceIndexArray _batchLengths;
    private readonly int[] _hostBatchLengths;
    private readonly DeviceArray _parameters, _gradients, _loss, _gradientNormSquared;
    private readonly AdamOptimizer _adam;
    private readonly GrowableBuffer _input, _codings, _reversedTarget;
    private readonly int _maxBatch;
    private readonly int _seed;

    /// <summary>A model of shape <paramref name="spec"/> on <paramref name="backend"/>, its weights initialised as Keras does (glorot-uniform kernels, orthogonal recurrent kernels, forget-gate bias 1) from <paramref name="seed"/>; workspaces hold batches of up to <paramref name="maxBatch"/> sequences. The backend must outlive the model.</summary>
    public RecurrentAutoencoder(IComputeBackend backend, AutoencoderSpec spec, int seed, int maxBatch = 256)
    {
        ArgumentNullException.ThrowIfNull(backend);
        spec.Validate();
        if (maxBatch < 1) throw new ArgumentOutOfRangeException(nameof(maxBatch));
        Backend = backend;
        Spec = spec;
        _seed = seed;
        _maxBatch = maxBatch;
        var layout = new ParameterLayoutBuilder();
        int inputSize = spec.Features;
        _encoder = new LstmLayer[spec.EncoderUnits.Count];
        for (int l = 0; l < _encoder.Length; l++)
        {
            _encoder[l] = new LstmLayer(backend, layout, $"encoder.lstm{l}", inputSize, spec.EncoderUnits[l]);
            inputSize = spec.EncoderUnits[l];
        }
        _decoder = new LstmLayer[spec.DecoderUnits.Count];
        if (spec.TeacherForcing) inputSize += spec.Features; // [coding ; y_{t-1}]
        for (int l = 0; l < _decoder.Length; l++)
        {
            _decoder[l] = new LstmLayer(backend, layout, $"decoder.lstm{l}", inputSize, spec.DecoderUnits[l]);
            inputSize = spec.DecoderUnits[l];
        }
        if (spec.TeacherForcing) _conditioned = new ConditionedDecoderInput(backend, _decoder[0], spec.CodingSize, spec.Features);
        _head = new DenseHead(backend, layout, "decoder.dense", inputSize, spec.Features, spec.Head);
        if (spec.Coding != CodingKind.State) _coding = new CodingLayer(backend, layout, spec.Coding, spec.CodingSize);
        Parameters = layout.Items;
        ParameterCount = layout.Total;

        var initial = new float[ParameterCount];
        var init = new Initializers(seed);
        foreach (var layer in _encoder.Concat(_decoder)) layer.Initialize(init, initial);
        _head.Initialize(init, initial);
        _coding?.Initialize(init, initial);

        _parameters = backend.Allocate(ParameterCount);
        _gradients = backend.Allocate(ParameterCount);
        _loss = backend.Allocate(1);
        _gradientNormSquared = backend.Allocate(1);
        _adam = new AdamOptimizer(backend, ParameterCount);
        _input = new GrowableBuffer(backend);
        _codings = new GrowableBuffer(backend);
        _reversedTarget = new GrowableBuffer(backend);
        _corrupted = new GrowableBuffer(backend);
        _regularizer = backend.Allocate(1);
        _batchLengths = backend.AllocateIndices(maxBatch);
        _hostBatchLengths = new int[maxBatch];
        backend.Upload(initial, _parameters.All);
    }

    /// <summary>The model's shape.</summary>
    public AutoencoderSpec Spec { get; }

    /// <summary>Bytes the training state takes on the backend: the parameters, their gradients and Adam's two moments
    /// (the activation workspaces grow with the batch on first use and are not counted).</summary>
    public long ParameterStateBytes => 4L * sizeof(float) * ParameterCount;
    /// <summary>The backend the model's buffers live on.</summary>
    public IComputeBackend Backend { get; }
    /// <summary>The named tensors of the flat parameter buffer, in order (Keras-style names, gate order i, f, c, o).</summary>
    public IReadOnlyList<ParameterInfo> Parameters { get; }
    /// <summary>The number of trainable parameters.</summary>
    public int ParameterCount { get; }
    /// <summary>Adam's hyper-parameters for <see cref="TrainStep"/> (the <see cref="Trainer"/> sets the learning rate from its options).</summary>
    public AdamSettings Adam { get; set; } = new();

    /// <summary>A host copy of every parameter, laid out as <see cref="Parameters"/> says.</summary>
    public float[] GetParameters() => Download(_parameters.All);

    /// <summary>Replaces every parameter (<see cref="ParameterCount"/> values, laid out as <see cref="Parameters"/> says).</summary>
    public void SetParameters(ReadOnlySpan<float> values)
    {
        if (values.Length != ParameterCount)
            throw new ArgumentException($"{values.Length} values given for {ParameterCount} parameters");
        Backend.Upload(values, _parameters.All);
    }

    /// <summary>The gradients of the last <see cref="TrainStep"/> or <see cref="ComputeGradients"/>.</summary>
    public float[] GetGradients() => Download(_gradients.All);

    /// <summary>A host copy of Adam's step count and moments (for a checkpoint).</summary>
    public OptimizerState GetOptimizerState() => _adam.GetState();
    /// <summary>Restores Adam's step count and moments (when resuming).</summary>
    public void SetOptimizerState(OptimizerState state) => _adam.SetState(state);

    /// <summary>Copies <paramref name="data"/> to the device for <see cref="TrainStep"/>, <see cref="Evaluate"/> and the <see cref="Trainer"/>; the features must match the model's. Dispose it when done.</summary>
    public DeviceDataset Upload(SequenceDataset data)
    {
        if (data.Features != Spec.Features)
            throw new ArgumentException($"the data has {data.Features} features a step, the model expects {Spec.Features}");
        return new DeviceDataset(Backend, data, reversed: Spec.ReverseOutput);
    }

    /// <summary>The windows of a series segment, resident once on the device and gathered per batch.</summary>
    public DeviceDataset Upload(Data.SeriesWindows windows)
    {
        if (windows.Features != Spec.Features)
            throw new ArgumentException($"the series has {windows.Features} features a step, the model expects {Spec.Features}");
        return new DeviceDataset(Backend, windows, reversed: Spec.ReverseOutput);
    }

    /// <summary>Clip each training step's gradient to this global norm before Adam (Keras <c>global_clipnorm</c>): the
    /// whole flat gradient is scaled by X / max(norm, X) on the device. Null (the default): no clipping. A training
    /// setting (kept in <see cref="TrainingOptions.ClipNorm"/>), not part of the spec.</summary>
    public float? GradientClipNorm
    {
        get => _gradientClipNorm;
        set
        {
            if (value is float x && (!(x > 0) || float.IsInfinity(x))) throw new ArgumentOutOfRangeException(nameof(value), $"the clipping norm must be a positive number, not {x}");
            _gradientClipNorm = value;
        }
    }
    private float? _gradientClipNorm;

    /// <summary>Training batches of a ragged set run to their own longest sequence (on by default; off only to check that
    /// trimming changes no bit).</summary>
    internal bool TrimBatches { get; set; } = true;

    /// <summary>One step of Adam on the batch order[start .. start + batch) of a resident data set; returns the batch's mean
    /// loss: its sum over its values divided by their count, or with <paramref name="lossValues"/> by that many steps' values
    /// (length-bucketed batches: the epoch's mean a batch, so that every value weighs the same).</summary>
    public float TrainStep(DeviceDataset data, BatchOrder order, int start, int batch, long? lossValues = null)
    {
        float loss = LossAndGradients(data, order, start, batch, lossValues is long v ? 1f / ((float)v * Spec.Features) : null);
        ApplyGradients();
        return loss;
    }

    /// <summary>Clips the gradient buffer (when set) and takes Adam's step with it.</summary>
    private void ApplyGradients()
    {
        if (_gradientClipNorm is float clip)
        {
            Backend.SumOfSquares(_gradients.All, _gradientNormSquared.All);
            Backend.ClipByGlobalNorm(_gradients.All, _gradientNormSquared.All, clip);
        }
        _adam.Apply(_parameters.All, _gradients.All, Adam);
    }

    /// <summary>The mean loss of a batch and its gradients (see <see cref="GetGradients"/>), without updating anything.</summary>
    public float ComputeGradients(SequenceDataset batch)
    {
        using var data = Upload(batch);
        return LossAndGradients(data, data.Identity, 0, batch.Count);
    }

    /// <summary>The mean loss over every value of a data set (its own steps only, when lengths differ).</summary>
    public double Evaluate(DeviceDataset data, int batchSize = 256) => EvaluateTerms(data, batchSize).Reconstruction;

    /// <summary>The mean reconstruction loss over every value of a data set and, for a variational model, its KL divergence
    /// to N(0, I) per value (in the loss's unit; NaN otherwise), the coding being the mean; with <paramref name="corruption"/>
    /// the inputs are corrupted (repeatably, from its seed) and compared with the clean data.</summary>
    public (double Reconstruction, double Kl) EvaluateTerms(DeviceDataset data, int batchSize = 256, InputCorruption? corruption = null)
    {
        long values = 0;
        for (int i = 0; i < data.Count; i++) values += data.LengthOf(i);
        return EvaluateRange(data, 0, data.Count, 1f / ((float)values * data.Features), batchSize, corruption);
    }

    /// <summary>The loss (and a variational model's KL) of items [from, from + count) scaled by <paramref name="scale"/>
    /// (1 / the values of the whole set: a part's share of the mean); NaN when count is 0.</summary>
    private (double Reconstruction, double Kl) EvaluateRange(DeviceDataset data, int from, int count, float scale, int batchSize,
        InputCorruption? corruption = null)
    {
        batchSize = Math.Clamp(batchSize, 1, _maxBatch);
        bool first = true;
        for (int start = from; start < from + count; start += batchSize)
        {
            int batch = Math.Min(batchSize, from + count - start);
            var (x, lengths, _, _) = Prepare(data, data.Identity, start, batch);
            var target = Target(data, data.Identity, start, batch, x);
            if (corruption is { } c) x = Corrupt(x, data.Steps * batch * data.Features, c.NoiseStd, c.Dropout, c.Seed, start);
            Forward(x, target, data.Steps, batch, lengths, training: false);
            Loss(data.Steps, batch, target, lengths, scale, accumulate: !first, withGradient: false);
            if (Spec.Coding == CodingKind.Variational) _coding!.Regularizer(_regularizer.All, !first, LossScale(scale), Sparsity);
            first = false;
        }
        if (first) return (double.NaN, double.NaN);
        return (Download(_loss.All)[0], Spec.Coding == CodingKind.Variational ? Download(_regularizer.All)[0] : double.NaN);
    }

    /// <summary>Forward, loss and backward of a batch: the loss and gradients are sums over the batch times
    /// <paramref name="scale"/>, by default 1 / the batch's values (the mean); a data-parallel rank passes 1 / the global
    /// batch's values so that the ranks' sums add up to the global mean.</summary>
    /// <paramref name="globalBatch"/>: the rows of the whole global batch (a data-parallel rank's batch is a shard of it),
    /// which sets the leaves of the gradients' summation tree (<see cref="BatchReduction"/>).
    private float LossAndGradients(DeviceDataset data, BatchOrder order, int start, int batch, float? scale = null, int? globalBatch = null)
    {
        if (batch < 1 || batch > _maxBatch) throw new ArgumentOutOfRangeException(nameof(batch), $"batch {batch} is outside 1..{_maxBatch}");
        var (x, lengths, values, steps) = Prepare(data, order, start, batch, trim: TrimBatches);
        var target = Target(data, order, start, batch, x, steps);
        if (InputNoise > 0 || InputDropout > 0) x = Corrupt(x, steps * batch * data.Features, InputNoise, InputDropout, DrawSeed, DrawStep);
        Forward(x, target, steps, batch, lengths, training: true);
        // The mean over every (unpadded) value: for BCE the gradient through the sigmoid is (p - y) / (B*T*D).
        float lossScale = scale ?? 1f / ((float)values * Spec.Features); // a data-parallel rank's: 1 / the global batch's values
        Loss(steps, batch, target, lengths, lossScale, accumulate: false, withGradient: true);
        _coding?.Regularizer(_regularizer.All, false, LossScale(lossScale), Sparsity);
        Backend.Fill(_gradients.All, 0f);
        Backward(x, steps, batch, LossScale(lossScale) * KlFactor, BatchReduction.LeafRowsFor(globalBatch ?? batch));
        return TotalLoss();
    }

    /// <summary>Gathers a batch into the input workspace and, for sequences of different lengths, uploads the batch's
    /// lengths (found on the host from the order, so nothing is read back). Returns the number of unpadded values a
    /// feature (Values) and the steps the batch runs: the set's, or with <paramref name="trim"/> its longest sequence's
    /// (the steps after it are padding of every row, whose masked loss adds exact zeros to every gradient, so a trimmed
    /// step is the untrimmed one bit for bit, in less time: length-bucketed batches, <see cref="EpochShuffle.Bucketed"/>).</summary>
    private (Slice X, DeviceIndexArray? Lengths, long Values, int Steps) Prepare(DeviceDataset data, BatchOrder order, int start, int batch, bool trim = false)
    {
        if (data.Lengths == null)
        {
            var full = _input.Get(data.Steps * batch * data.Features);
            Backend.GatherSequences(data.Data.All, data.Layout, order.Device, start, batch, full);
            return (full, null, (long)data.Steps * batch, data.Steps);
        }
        long total = 0;
        int longest = 1;
        for (int b = 0; b < batch; b++)
        {
            _hostBatchLengths[b] = data.Lengths[order.Host[start + b]];
            total += _hostBatchLengths[b];
            longest = Math.Max(longest, _hostBatchLengths[b]);
        }
        int steps = trim ? longest : data.Steps;
        var x = _input.Get(steps * batch * data.Features);
        Backend.GatherSequences(data.Data.All, data.Layout with { Steps = steps }, order.Device, start, batch, x);
        Backend.UploadIndices(_hostBatchLengths.AsSpan(0, batch), _batchLengths);
        return (x, _batchLengths, total, steps);
    }

    /// <summary>What the decoder's outputs are compared with: the batch itself, or with a reversed output each sequence back to front.
    /// <paramref name="steps"/>: the steps the batch runs (fewer than the set's only for ragged sets, whose reversed
    /// targets are stored forwards, each reversed within its own length).</summary>
    private Slice Target(DeviceDataset data, BatchOrder order, int start, int batch, Slice x, int? steps = null)
    {
        if (data.TargetLayout is not { } layout) return x;
        int n = steps ?? data.Steps;
        var target = _reversedTarget.Get(n * batch * data.Features);
        Backend.GatherSequences(data.TargetData.All, n == data.Steps ? layout : layout with { Steps = n }, order.Device, start, batch, target);
        return target;
    }

    /// <summary>The factor of the head's loss: the mean over values, or over steps for softmax (one-hot symbols).</summary>
    private float LossScale(float perValue) => _head.LossScale(perValue);

    private void Loss(int steps, int batch, Slice targets, DeviceIndexArray? lengths, float scale, bool accumulate, bool withGradient) =>
        _head.Loss(targets, steps, batch, lengths, scale, _loss.All, accumulate, withGradient);

    /// <summary>The whole model over a batch; <paramref name="target"/> (time-major, like x) is what a teacher-forced
    /// decoder is fed, one step late (in <paramref name="training"/>, with <see cref="TeacherForcingDropout"/>'s rows blanked).</summary>
    private void Forward(Slice x, Slice target, int steps, int batch, DeviceIndexArray? lengths, bool training)
    {
        EncodeBatch(x, steps, batch, lengths, training);
        DecodeBatch(CodingOf(steps, batch), target, steps, batch, training ? PreviousStepScales(steps, batch) : default);
    }

    /// <summary>The encoder over a batch, and a sparse or variational model's coding layer (sampling in <paramref name="training"/>).</summary>
    private void EncodeBatch(Slice x, int steps, int batch, DeviceIndexArray? lengths, bool training = false)
    {
        var p = _parameters.All;
        var input = x;
        foreach (var layer in _encoder)
        {
            layer.Forward(p, input, steps, batch, repeated: false, lengths);
            input = layer.Hidden;
        }
        _coding?.Forward(p, LastState(steps, batch), batch, training ? ReparameterizationKey() : null);
    }

    /// <summary>The coding: the last encoder layer's state, or the coding layer's output on it.</summary>
    private Slice CodingOf(int steps, int batch) => _coding?.Output ?? LastState(steps, batch);

    /// <summary>The last encoder layer's state at the last step (with lengths: carried from each sequence's own last step).</summary>
    private Slice LastState(int steps, int batch)
    {
        var last = _encoder[^1];
        return last.Hidden.Sub((steps - 1) * batch * last.Units, batch * last.Units);
    }

    /// <summary>The decoder runs every step; with lengths, the masked loss gives padded steps no gradient, and they cannot
    /// affect earlier steps, so the decoder itself needs no mask. <paramref name="target"/>: the teacher-forced input
    /// (unused without teacher forcing); <paramref name="previousScales"/>: input dropout's scales, or empty.</summary>
    private void DecodeBatch(Slice coding, Slice target, int steps, int batch, ReadOnlySpan<float> previousScales = default)
    {
        var p = _parameters.All;
        if (_conditioned is null) _decoder[0].Forward(p, coding, steps, batch, repeated: true);
        else _conditioned.Forward(p, coding, target, steps, batch, previousScales);
        for (int l = 1; l < _decoder.Length; l++) _decoder[l].Forward(p, _decoder[l - 1].Hidden, steps, batch, repeated: false);
        _head.Forward(p, _decoder[^1].Hidden, steps * batch);
    }

    /// <summary>Backpropagation through the whole model; <paramref name="klGradientScale"/>: the KL term's factor in the loss
    /// (variational); <paramref name="leafRows"/>: the leaf size of the parameter gradients' summation tree over the batch.</summary>
    private void Backward(Slice x, int steps, int batch, float klGradientScale, int leafRows)
    {
        Slice p = _parameters.All, g = _gradients.All;
        _head.Backward(p, g, _decoder[^1].Hidden, _decoder[^1].HiddenGradient, steps, batch, leafRows);
        for (int l = _decoder.Length - 1; l >= 1; l--)
            _decoder[l].Backward(p, g, _decoder[l - 1].Hidden, _decoder[l - 1].HiddenGradient, leafRows);

        // Only the last step of the top encoder layer feeds the decoder: its other steps get no gradient from above.
        // (With lengths, the masked backward carries it back to each sequence's own last step.)
        var top = _encoder[^1];
        Backend.Fill(top.HiddenGradient, 0f);
        var stateGrad = top.HiddenGradient.Sub((steps - 1) * batch * top.Units, batch * top.Units);
        var codingGrad = _coding?.CodingGradient ?? stateGrad;
        if (_conditioned is null) _decoder[0].Backward(p, g, CodingOf(steps, batch), codingGrad, leafRows);
        else _conditioned.Backward(p, g, CodingOf(steps, batch), codingGrad, leafRows);
        _coding?.Backward(p, g, LastState(steps, batch), stateGrad, klGradientScale, Sparsity, leafRows);

        for (int l = _encoder.Length - 1; l >= 1; l--)
            _encoder[l].Backward(p, g, _encoder[l - 1].Hidden, _encoder[l - 1].HiddenGradient, leafRows);
        _encoder[0].Backward(p, g, x, default, leafRows); // no gradient for the data itself
    }

    private float[] Download(Slice s)
    {
        var host = new float[s.Length];
        Backend.Download(s, host);
        return host;
    }

    /// <summary>Frees the model's device buffers (not the backend).</summary>
    public void Dispose()
    {
        foreach (var layer in _encoder.Concat(_decoder)) layer.Dispose();
        _head.Dispose();
        _conditioned?.Dispose();
        _feedback?.Dispose();
        _staging?.Dispose(); _inferenceOrder?.Dispose();
        _parameters.Dispose(); _gradients.Dispose(); _loss.Dispose(); _gradientNormSquared.Dispose();
        _adam.Dispose(); _input.Dispose(); _codings.Dispose(); _reversedTarget.Dispose(); _batchLengths.Dispose();
        _coding?.Dispose(); _corrupted.Dispose(); _regularizer.Dispose();
    }
}

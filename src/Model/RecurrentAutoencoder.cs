using RecurrentAE.Kernels;
using RecurrentAE.Model.Layers;
using RecurrentAE.Model.Optimization;

namespace RecurrentAE.Model;

/// <summary>
/// A recurrent autoencoder: a sequence-to-vector LSTM encoder (all layers return every step but the last, whose final
/// state is the coding) and a vector-to-sequence decoder (the coding repeated at every step, LSTMs, Dense + sigmoid at
/// every step), trained with binary cross-entropy and Adam. Parameters, gradients and Adam's moments are flat device
/// buffers; activations are time-major workspaces that grow to the largest shape seen and are reused.
/// </summary>
public sealed class RecurrentAutoencoder : IDisposable
{
    private readonly LstmLayer[] _encoder;
    private readonly LstmLayer[] _decoder;
    private readonly DenseSigmoidHead _head;
    private readonly DeviceArray _parameters, _gradients, _loss;
    private readonly AdamOptimizer _adam;
    private readonly GrowableBuffer _input, _codings;
    private readonly int _maxBatch;

    public RecurrentAutoencoder(IComputeBackend backend, AutoencoderSpec spec, int seed, int maxBatch = 256)
    {
        ArgumentNullException.ThrowIfNull(backend);
        spec.Validate();
        if (maxBatch < 1) throw new ArgumentOutOfRangeException(nameof(maxBatch));
        Backend = backend;
        Spec = spec;
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
        for (int l = 0; l < _decoder.Length; l++)
        {
            _decoder[l] = new LstmLayer(backend, layout, $"decoder.lstm{l}", inputSize, spec.DecoderUnits[l]);
            inputSize = spec.DecoderUnits[l];
        }
        _head = new DenseSigmoidHead(backend, layout, "decoder.dense", inputSize, spec.Features);
        Parameters = layout.Items;
        ParameterCount = layout.Total;

        var initial = new float[ParameterCount];
        var init = new Initializers(seed);
        foreach (var layer in _encoder.Concat(_decoder)) layer.Initialize(init, initial);
        _head.Initialize(init, initial);

        _parameters = backend.Allocate(ParameterCount);
        _gradients = backend.Allocate(ParameterCount);
        _loss = backend.Allocate(1);
        _adam = new AdamOptimizer(backend, ParameterCount);
        _input = new GrowableBuffer(backend);
        _codings = new GrowableBuffer(backend);
        backend.Upload(initial, _parameters.All);
    }

    public AutoencoderSpec Spec { get; }
    public IComputeBackend Backend { get; }
    public IReadOnlyList<ParameterInfo> Parameters { get; }
    public int ParameterCount { get; }
    public AdamSettings Adam { get; set; } = new();

    public float[] GetParameters() => Download(_parameters.All);

    public void SetParameters(ReadOnlySpan<float> values)
    {
        if (values.Length != ParameterCount)
            throw new ArgumentException($"{values.Length} values given for {ParameterCount} parameters");
        Backend.Upload(values, _parameters.All);
    }

    /// <summary>The gradients of the last <see cref="TrainStep"/> or <see cref="ComputeGradients"/>.</summary>
    public float[] GetGradients() => Download(_gradients.All);

    public OptimizerState GetOptimizerState() => _adam.GetState();
    public void SetOptimizerState(OptimizerState state) => _adam.SetState(state);

    public DeviceDataset Upload(SequenceDataset data)
    {
        if (data.Features != Spec.Features)
            throw new ArgumentException($"the data has {data.Features} features a step, the model expects {Spec.Features}");
        return new DeviceDataset(Backend, data);
    }

    /// <summary>One step of Adam on the batch order[start .. start + batch) of a resident data set; returns the batch's mean loss.</summary>
    public float TrainStep(DeviceDataset data, DeviceIndexArray order, int start, int batch)
    {
        float loss = LossAndGradients(data, order, start, batch);
        _adam.Apply(_parameters.All, _gradients.All, Adam);
        return loss;
    }

    /// <summary>The mean loss of a batch and its gradients (see <see cref="GetGradients"/>), without updating anything.</summary>
    public float ComputeGradients(SequenceDataset batch)
    {
        using var data = Upload(batch);
        return LossAndGradients(data, data.Identity, 0, batch.Count);
    }

    /// <summary>The mean binary cross-entropy over every value of a data set.</summary>
    public double Evaluate(DeviceDataset data, int batchSize = 256)
    {
        batchSize = Math.Clamp(batchSize, 1, _maxBatch);
        float scale = 1f / ((float)data.Count * data.Steps * data.Features);
        bool first = true;
        for (int start = 0; start < data.Count; start += batchSize)
        {
            int batch = Math.Min(batchSize, data.Count - start);
            var x = Gather(data, data.Identity, start, batch);
            Forward(x, data.Steps, batch);
            Backend.BceLossAndGradient(_head.Probabilities, x, x.Length, scale, _loss.All, accumulateLoss: !first, default);
            first = false;
        }
        return first ? double.NaN : Download(_loss.All)[0];
    }

    /// <summary>Codings of host sequences, batch-major (count, steps, features) -> (count, coding).</summary>
    public float[] Encode(ReadOnlySpan<float> sequences, int count, int steps)
    {
        int coding = Spec.CodingSize;
        var result = new float[count * coding];
        using var data = Upload(new SequenceDataset(sequences.ToArray(), count, steps, Spec.Features));
        for (int start = 0; start < count; start += _maxBatch)
        {
            int batch = Math.Min(_maxBatch, count - start);
            EncodeBatch(Gather(data, data.Identity, start, batch), steps, batch);
            Backend.Download(CodingOf(steps, batch), result.AsSpan(start * coding, batch * coding));
        }
        return result;
    }

    /// <summary>Sequences of <paramref name="steps"/> steps decoded from codings (count, coding) -> (count, steps, features).</summary>
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
            DecodeBatch(c, steps, batch);
            CopyToBatchMajor(_head.Probabilities, steps, batch, result, start);
        }
        return result;
    }

    /// <summary>Each sequence encoded and decoded again, batch-major (count, steps, features).</summary>
    public float[] Reconstruct(ReadOnlySpan<float> sequences, int count, int steps)
    {
        var result = new float[count * steps * Spec.Features];
        using var data = Upload(new SequenceDataset(sequences.ToArray(), count, steps, Spec.Features));
        for (int start = 0; start < count; start += _maxBatch)
        {
            int batch = Math.Min(_maxBatch, count - start);
            Forward(Gather(data, data.Identity, start, batch), steps, batch);
            CopyToBatchMajor(_head.Probabilities, steps, batch, result, start);
        }
        return result;
    }

    private float LossAndGradients(DeviceDataset data, DeviceIndexArray order, int start, int batch)
    {
        if (batch < 1 || batch > _maxBatch) throw new ArgumentOutOfRangeException(nameof(batch), $"batch {batch} is outside 1..{_maxBatch}");
        int steps = data.Steps;
        var x = Gather(data, order, start, batch);
        Forward(x, steps, batch);
        // Mean over every value: the gradient through the sigmoid is (p - y) / (B*T*D).
        Backend.BceLossAndGradient(_head.Probabilities, x, x.Length, 1f / x.Length, _loss.All, accumulateLoss: false, _head.LogitGradient);
        Backend.Fill(_gradients.All, 0f);
        Backward(x, steps, batch);
        return Download(_loss.All)[0];
    }

    private Slice Gather(DeviceDataset data, DeviceIndexArray order, int start, int batch)
    {
        var x = _input.Get(data.Steps * batch * data.Features);
        Backend.GatherSequences(data.Data.All, data.Steps, data.Features, order, start, batch, x);
        return x;
    }

    private void Forward(Slice x, int steps, int batch)
    {
        EncodeBatch(x, steps, batch);
        DecodeBatch(CodingOf(steps, batch), steps, batch);
    }

    private void EncodeBatch(Slice x, int steps, int batch)
    {
        var p = _parameters.All;
        var input = x;
        foreach (var layer in _encoder)
        {
            layer.Forward(p, input, steps, batch, repeated: false);
            input = layer.Hidden;
        }
    }

    /// <summary>The coding is the last encoder layer's state at the last step.</summary>
    private Slice CodingOf(int steps, int batch)
    {
        var last = _encoder[^1];
        return last.Hidden.Sub((steps - 1) * batch * last.Units, batch * last.Units);
    }

    private void DecodeBatch(Slice coding, int steps, int batch)
    {
        var p = _parameters.All;
        _decoder[0].Forward(p, coding, steps, batch, repeated: true);
        for (int l = 1; l < _decoder.Length; l++) _decoder[l].Forward(p, _decoder[l - 1].Hidden, steps, batch, repeated: false);
        _head.Forward(p, _decoder[^1].Hidden, steps * batch);
    }

    private void Backward(Slice x, int steps, int batch)
    {
        Slice p = _parameters.All, g = _gradients.All;
        _head.Backward(p, g, _decoder[^1].Hidden, _decoder[^1].HiddenGradient);
        for (int l = _decoder.Length - 1; l >= 1; l--)
            _decoder[l].Backward(p, g, _decoder[l - 1].Hidden, _decoder[l - 1].HiddenGradient);

        // Only the last step of the top encoder layer feeds the decoder: its other steps get no gradient from above.
        var top = _encoder[^1];
        Backend.Fill(top.HiddenGradient, 0f);
        var codingGrad = top.HiddenGradient.Sub((steps - 1) * batch * top.Units, batch * top.Units);
        _decoder[0].Backward(p, g, CodingOf(steps, batch), codingGrad);

        for (int l = _encoder.Length - 1; l >= 1; l--)
            _encoder[l].Backward(p, g, _encoder[l - 1].Hidden, _encoder[l - 1].HiddenGradient);
        _encoder[0].Backward(p, g, x, default); // no gradient for the data itself
    }

    private void CopyToBatchMajor(Slice timeMajor, int steps, int batch, float[] result, int firstSequence)
    {
        int f = Spec.Features;
        var host = Download(timeMajor);
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < batch; b++)
                host.AsSpan((t * batch + b) * f, f).CopyTo(result.AsSpan(((firstSequence + b) * steps + t) * f, f));
    }

    private float[] Download(Slice s)
    {
        var host = new float[s.Length];
        Backend.Download(s, host);
        return host;
    }

    public void Dispose()
    {
        foreach (var layer in _encoder.Concat(_decoder)) layer.Dispose();
        _head.Dispose();
        _parameters.Dispose(); _gradients.Dispose(); _loss.Dispose();
        _adam.Dispose(); _input.Dispose(); _codings.Dispose();
    }
}

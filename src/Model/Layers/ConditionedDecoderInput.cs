using RecurrentAE.Kernels;

namespace RecurrentAE.Model.Layers;

/// <summary>
/// The input of a teacher-forced decoder's first LSTM: at step t the concatenation [coding ; y_{t-1}], y the decoder's
/// target sequence and y_{-1} = 0, through the layer's one Keras kernel of (coding + features, 4U): rows [0, C) for the
/// coding, rows [C, C+F) for the previous step (Keras: Concatenate([RepeatVector(T)(coding), shifted]) -> LSTM).
/// The concatenation is never built. Forward: the projection of steps 1..T-1 is one GEMM of the time-major targets of
/// steps 0..T-2 written one step later (the shift is an offset), then Q = coding K[:C] is added to every step (a rank-1
/// GEMM with a ones vector; step 0 is Q alone). Backward: dQ = dZ summed over steps, dK[:C] += coding^T dQ,
/// dcoding = dQ K[:C]^T, dK[C:] += y[0..T-2]^T dZ[1..T-1]; the targets get no gradient.
/// Greedy decoding runs it a step at a time, y_{t-1} being the model's own previous output.
/// Input dropout (training only, Bowman et al. 2016): <see cref="Forward"/> given a scale per previous-step row (0 drops
/// y_{t-1} of that sequence, leaving the start's "nothing known" zeros; 1 keeps it; no rescaling) feeds the GEMM
/// y[0..T-2] with its rows scaled (one ScaleRows into a workspace), and <see cref="Backward"/> takes dK[C:] from the same
/// scaled rows: the gradient of the input actually used.
/// </summary>
internal sealed class ConditionedDecoderInput : IDisposable
{
    private readonly IComputeBackend _backend;
    private readonly LstmLayer _lstm;
    private readonly GrowableBuffer _projection, _ones, _codingProjectionGrad, _scales, _dropped;
    private int _onesFilled;
    private Slice _codingProjection, _stepProjection;
    private Slice _previous; // the previous-step input of the last Forward, (steps - 1) x batch x F: the targets or their scaled copy

    public ConditionedDecoderInput(IComputeBackend backend, LstmLayer lstm, int codingSize, int features)
    {
        if (lstm.InputSize != codingSize + features)
            throw new ArgumentException($"a conditioned decoder LSTM takes coding + features = {codingSize + features} inputs, not {lstm.InputSize}");
        _backend = backend;
        _lstm = lstm;
        CodingSize = codingSize;
        Features = features;
        _projection = new(backend); _ones = new(backend); _codingProjectionGrad = new(backend);
        _scales = new(backend); _dropped = new(backend);
    }

    public int CodingSize { get; }
    public int Features { get; }
    private int Gates => 4 * _lstm.Units;

    /// <summary>K[:C], the coding's rows of the kernel (in a parameter or gradient buffer).</summary>
    private Slice CodingRows(Slice flat) => _lstm.Kernel.In(flat).Sub(0, CodingSize * Gates);

    /// <summary>K[C:], the previous step's rows.</summary>
    private Slice PreviousRows(Slice flat) => _lstm.Kernel.In(flat).Sub(CodingSize * Gates, Features * Gates);

    /// <summary>Teacher forced over all steps: <paramref name="coding"/> (batch, C), <paramref name="targets"/> (steps, batch, F).
    /// <paramref name="previousScales"/>: empty, or input dropout's (steps - 1) x batch scales of the previous-step rows
    /// (row (t - 1) * batch + b is y_{t-1} of sequence b), uploaded here.</summary>
    public void Forward(Slice parameters, Slice coding, Slice targets, int steps, int batch, ReadOnlySpan<float> previousScales = default)
    {
        int g = Gates, n = batch * g;
        _previous = steps > 1 ? targets.Sub(0, (steps - 1) * batch * Features) : default;
        if (!previousScales.IsEmpty && steps > 1)
        {
            int rows = (steps - 1) * batch;
            if (previousScales.Length != rows)
                throw new ArgumentException($"input dropout needs (steps - 1) x batch = {rows} scales, not {previousScales.Length}", nameof(previousScales));
            var scales = _scales.Get(rows);
            _backend.Upload(previousScales, scales);
            var dropped = _dropped.Get(rows * Features);
            _backend.ScaleRows(_previous, rows, Features, scales, dropped);
            _previous = dropped;
        }
        _lstm.Prepare(steps, batch);
        var projection = _projection.Get(steps * n);
        var first = projection.Sub(0, n);
        _backend.Gemm(Transpose.No, Transpose.No, batch, g, CodingSize, 1f, coding, CodingSize, CodingRows(parameters), g, 0f, first, g);
        if (steps > 1)
        {
            var rest = projection.Sub(n, (steps - 1) * n);
            _backend.Gemm(Transpose.No, Transpose.No, (steps - 1) * batch, g, Features, 1f, _previous, Features, PreviousRows(parameters), g, 0f, rest, g);
            _backend.Gemm(Transpose.No, Transpose.No, steps - 1, n, 1, 1f, Ones(steps - 1), 1, first, n, 1f, rest, n);
        }
        _lstm.Recur(parameters, projection, n);
    }

    /// <summary>Backward of the last <see cref="Forward"/> from the LSTM's hidden gradient: accumulates the layer's gradients and
    /// overwrites <paramref name="codingGradient"/> (batch, C). dK[C:] comes from the previous-step input that Forward
    /// used (with input dropout, the scaled rows).</summary>
    public void Backward(Slice parameters, Slice gradients, Slice coding, Slice codingGradient, int leafRows)
    {
        int steps = _lstm.Steps, batch = _lstm.Batch, g = Gates, n = batch * g;
        var dz = _lstm.BackwardThroughTime(parameters, gradients, leafRows);
        var dq = _codingProjectionGrad.Get(n);
        _backend.ColumnSum(dz, steps, n, dq, accumulate: false);
        _backend.DenseGradient(new DenseGradientArgs
        {
            Input = coding, Inputs = CodingSize, OutputGradient = dq, Outputs = g, Steps = 1, Batch = batch,
            LeafRows = leafRows, KernelGradient = CodingRows(gradients),
        });
        _backend.Gemm(Transpose.No, Transpose.Yes, batch, CodingSize, g, 1f, dq, g, CodingRows(parameters), g, 0f, codingGradient, CodingSize);
        if (steps > 1)
            _backend.DenseGradient(new DenseGradientArgs
            {
                Input = _previous, Inputs = Features, OutputGradient = dz.Sub(n, (steps - 1) * n), Outputs = g, Steps = steps - 1,
                Batch = batch, LeafRows = leafRows, KernelGradient = PreviousRows(gradients),
            });
    }

    /// <summary>Starts greedy decoding of <paramref name="steps"/> steps: Q = coding K[:C] once.</summary>
    public void BeginSteps(Slice parameters, Slice coding, int steps, int batch)
    {
        int g = Gates, n = batch * g;
        _lstm.Prepare(steps, batch);
        var buffer = _projection.Get(2 * n);
        _codingProjection = buffer.Sub(0, n);
        _stepProjection = buffer.Sub(n, n);
        _backend.Gemm(Transpose.No, Transpose.No, batch, g, CodingSize, 1f, coding, CodingSize, CodingRows(parameters), g, 0f, _codingProjection, g);
    }

    /// <summary>Step <paramref name="t"/> of greedy decoding from y_{t-1}, (batch, F) (empty at t = 0: y_{-1} = 0).</summary>
    public void ForwardStep(Slice parameters, Slice previous, int t)
    {
        if (previous.IsEmpty)
        {
            _lstm.RecurStep(parameters, _codingProjection, t);
            return;
        }
        int g = Gates;
        _backend.Copy(_codingProjection, _stepProjection);
        _backend.Gemm(Transpose.No, Transpose.No, _lstm.Batch, g, Features, 1f, previous, Features, PreviousRows(parameters), g, 1f, _stepProjection, g);
        _lstm.RecurStep(parameters, _stepProjection, t);
    }

    /// <summary>A column of <paramref name="count"/> ones (filled once, when it grows).</summary>
    private Slice Ones(int count)
    {
        var ones = _ones.Get(count);
        if (count > _onesFilled)
        {
            _backend.Fill(ones, 1f);
            _onesFilled = count;
        }
        return ones;
    }

    public void Dispose()
    {
        _projection.Dispose(); _ones.Dispose(); _codingProjectionGrad.Dispose(); _scales.Dispose(); _dropped.Dispose();
    }
}

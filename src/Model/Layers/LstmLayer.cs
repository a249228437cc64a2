using RecurrentAE.Kernels;

namespace RecurrentAE.Model.Layers;

/// <summary>
/// A Keras LSTM layer over time-major sequences: kernel (in, 4U), recurrent_kernel (U, 4U), bias (4U), gate order i, f, c, o.
/// The input projection of all steps is one GEMM; with a repeated input (RepeatVector) it is computed once and fed to
/// every step, and in backward dz is summed over steps before one GEMM. A caller that builds the projection itself (the
/// teacher-forced decoder input) uses <see cref="Recur(Slice, Slice, int)"/> and <see cref="BackwardThroughTime"/>; greedy decoding runs one
/// step at a time (<see cref="ForwardStep"/>, <see cref="RecurStep"/>), each continuing from the state of the step before.
/// </summary>
internal sealed class LstmLayer : IDisposable
{
    private readonly IComputeBackend _backend;
    private readonly GrowableBuffer _projection, _hidden, _cell, _gates, _hiddenGrad, _gateGrad, _cellScratch, _gateGradSum;

    public LstmLayer(IComputeBackend backend, ParameterLayoutBuilder layout, string name, int inputSize, int units)
    {
        _backend = backend;
        InputSize = inputSize;
        Units = units;
        Kernel = layout.Add($"{name}.kernel", inputSize, 4 * units);
        RecurrentKernel = layout.Add($"{name}.recurrent_kernel", units, 4 * units);
        Bias = layout.Add($"{name}.bias", 4 * units);
        _projection = new(backend); _hidden = new(backend); _cell = new(backend); _gates = new(backend);
        _hiddenGrad = new(backend); _gateGrad = new(backend); _cellScratch = new(backend); _gateGradSum = new(backend);
    }

    public int InputSize { get; }
    public int Units { get; }
    public ParameterInfo Kernel { get; }
    public ParameterInfo RecurrentKernel { get; }
    public ParameterInfo Bias { get; }

    /// <summary>h_t of the last forward call, (steps, batch, units).</summary>
    public Slice Hidden { get; private set; }

    /// <summary>dL/dh_t for the next backward call, (steps, batch, units); the layer above writes it.</summary>
    public Slice HiddenGradient { get; private set; }

    /// <summary>The shape of the last <see cref="Prepare"/> (or forward call).</summary>
    public int Steps => _steps;
    public int Batch => _batch;

    private int _steps, _batch;
    private bool _repeated;
    private DeviceIndexArray? _lengths;
    private Slice _cellState, _gateValues;

    public void Initialize(Initializers init, Span<float> parameters)
    {
        init.GlorotUniform(parameters.Slice(Kernel.Offset, Kernel.Length), InputSize, 4 * Units);
        init.Orthogonal(parameters.Slice(RecurrentKernel.Offset, RecurrentKernel.Length), Units, 4 * Units);
        var bias = parameters.Slice(Bias.Offset, Bias.Length);
        bias.Clear();
        bias.Slice(Units, Units).Fill(1f); // unit_forget_bias
    }

    /// <summary>Runs the layer. <paramref name="input"/> is (steps, batch, in), or (batch, in) when <paramref name="repeated"/>.
    /// With <paramref name="lengths"/>, a sequence's state stops changing after its own last step.</summary>
    public void Forward(Slice parameters, Slice input, int steps, int batch, bool repeated, DeviceIndexArray? lengths = null)
    {
        Prepare(steps, batch, repeated, lengths);
        int g = 4 * Units, projectedRows = repeated ? batch : steps * batch;
        var projection = _projection.Get(projectedRows * g);
        _backend.Gemm(Transpose.No, Transpose.No, projectedRows, g, InputSize,
            1f, input, InputSize, Kernel.In(parameters), g, 0f, projection, g);
        Recur(parameters, projection, repeated ? 0 : batch * g);
    }

    /// <summary>Sizes the workspaces for <paramref name="steps"/> x <paramref name="batch"/> and remembers the shape for
    /// backward. <paramref name="repeated"/>: the input is one (batch, in) block fed to every step (RepeatVector).</summary>
    public void Prepare(int steps, int batch, bool repeated = false, DeviceIndexArray? lengths = null)
    {
        _steps = steps; _batch = batch; _repeated = repeated; _lengths = lengths;
        Hidden = _hidden.Get(steps * batch * Units);
        HiddenGradient = _hiddenGrad.Get(steps * batch * Units);
        _cellState = _cell.Get(steps * batch * Units);
        _gateValues = _gates.Get(steps * batch * 4 * Units);
    }

    /// <summary>The recurrence over every prepared step from an input projection x_t W (without bias), consecutive steps
    /// <paramref name="stepStride"/> floats apart (0: one projection for every step).</summary>
    public void Recur(Slice parameters, Slice projection, int stepStride) => Recur(parameters, projection, stepStride, 0, _steps);

    /// <summary>Step <paramref name="t"/> alone from its input (batch, in), continuing from step t-1's state (inference;
    /// after <see cref="Prepare"/> without lengths).</summary>
    public void ForwardStep(Slice parameters, Slice input, int t)
    {
        int g = 4 * Units;
        var projection = _projection.Get(_batch * g);
        _backend.Gemm(Transpose.No, Transpose.No, _batch, g, InputSize, 1f, input, InputSize, Kernel.In(parameters), g, 0f, projection, g);
        RecurStep(parameters, projection, t);
    }

    /// <summary>Step <paramref name="t"/> alone from its input projection (batch, 4U), continuing from step t-1's h and c
    /// (zeros at t = 0); writes step t of <see cref="Hidden"/>.</summary>
    public void RecurStep(Slice parameters, Slice projection, int t) => Recur(parameters, projection, _batch * 4 * Units, t, 1);

    /// <summary>Steps [first, first + count) of the prepared workspaces, from step first-1's state (zeros at 0).</summary>
    private void Recur(Slice parameters, Slice projection, int stepStride, int first, int count)
    {
        if (first > 0 && _lengths is not null) throw new InvalidOperationException("lengths apply to a whole sequence, not a step of it");
        int n = _batch * Units, g = 4 * Units;
        _backend.LstmForward(new LstmForwardArgs
        {
            Steps = count, Batch = _batch, Units = Units,
            InputProjection = projection, InputProjectionStepStride = stepStride,
            RecurrentKernel = RecurrentKernel.In(parameters), Bias = Bias.In(parameters),
            Hidden = Hidden.Sub(first * n, count * n), Cell = _cellState.Sub(first * n, count * n),
            Gates = _gateValues.Sub(first * _batch * g, count * _batch * g),
            Lengths = _lengths,
            InitialHidden = first > 0 ? Hidden.Sub((first - 1) * n, n) : default,
            InitialCell = first > 0 ? _cellState.Sub((first - 1) * n, n) : default,
        });
    }

    /// <summary>
    /// Backward from <see cref="HiddenGradient"/> (consumed). Accumulates this layer's parameter gradients, summed over the
    /// batch in <see cref="BatchReduction"/>'s tree of <paramref name="leafRows"/>-row leaves, and, when
    /// <paramref name="inputGradient"/> is not empty, overwrites it with dL/dinput (same shape as the forward input).
    /// </summary>
    public void Backward(Slice parameters, Slice gradients, Slice input, Slice inputGradient, int leafRows)
    {
        int steps = _steps, batch = _batch, g = 4 * Units;
        var gateGrad = BackwardThroughTime(parameters, gradients, leafRows);
        int rows = steps * batch, inputSteps = steps;
        var dz = gateGrad;
        if (_repeated)
        {
            // RepeatVector backward: the same input fed every step, so its gradient is dz summed over steps.
            dz = _gateGradSum.Get(batch * g);
            _backend.ColumnSum(gateGrad, steps, batch * g, dz, accumulate: false);
            rows = batch;
            inputSteps = 1;
        }
        _backend.DenseGradient(new DenseGradientArgs
        {
            Input = input, Inputs = InputSize, OutputGradient = dz, Outputs = g, Steps = inputSteps, Batch = batch,
            LeafRows = leafRows, KernelGradient = Kernel.In(gradients),
        });
        if (!inputGradient.IsEmpty)
            _backend.Gemm(Transpose.No, Transpose.Yes, rows, InputSize, g, 1f, dz, g, Kernel.In(parameters), g, 0f, inputGradient, InputSize);
    }

    /// <summary>Backward through time from <see cref="HiddenGradient"/> (consumed): accumulates the recurrent kernel's and
    /// the bias's gradients (in <see cref="BatchReduction"/>'s tree of <paramref name="leafRows"/>-row leaves) and returns
    /// dL/dz, (steps, batch, 4U); the input kernel's part is the caller's.</summary>
    public Slice BackwardThroughTime(Slice parameters, Slice gradients, int leafRows)
    {
        int steps = _steps, batch = _batch, g = 4 * Units;
        var gateGrad = _gateGrad.Get(steps * batch * g);
        _backend.LstmBackward(new LstmBackwardArgs
        {
            Steps = steps, Batch = batch, Units = Units,
            RecurrentKernel = RecurrentKernel.In(parameters),
            Hidden = Hidden, Cell = _cellState, Gates = _gateValues,
            HiddenGradient = HiddenGradient, CellGradientScratch = _cellScratch.Get(batch * Units),
            GateGradient = gateGrad,
            RecurrentKernelGradient = RecurrentKernel.In(gradients), BiasGradient = Bias.In(gradients),
            Lengths = _lengths, LeafRows = leafRows,
        });
        return gateGrad;
    }

    public void Dispose()
    {
        foreach (var b in new[] { _projection, _hidden, _cell, _gates, _hiddenGrad, _gateGrad, _cellScratch, _gateGradSum }) b.Dispose();
    }
}

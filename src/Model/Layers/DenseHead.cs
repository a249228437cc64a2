using RecurrentAE.Kernels;

namespace RecurrentAE.Model.Layers;

/// <summary>Time-distributed Dense with the output head's activation (sigmoid, identity or softmax) at every step: one GEMM
/// over all steps plus a fused kernel. Its backward takes dL/dlogits from the head's fused loss gradient.</summary>
internal sealed class DenseHead : IDisposable
{
    private readonly IComputeBackend _backend;
    private readonly GrowableBuffer _logits, _output, _logitGrad;

    public DenseHead(IComputeBackend backend, ParameterLayoutBuilder layout, string name, int inputSize, int outputs, OutputHead head)
    {
        _backend = backend;
        InputSize = inputSize;
        Outputs = outputs;
        Head = head;
        Kernel = layout.Add($"{name}.kernel", inputSize, outputs);
        Bias = layout.Add($"{name}.bias", outputs);
        _logits = new(backend); _output = new(backend); _logitGrad = new(backend);
    }

    public int InputSize { get; }
    public int Outputs { get; }
    public OutputHead Head { get; }
    public ParameterInfo Kernel { get; }
    public ParameterInfo Bias { get; }

    /// <summary>The activated output of the last forward call, (rows, outputs).</summary>
    public Slice Output { get; private set; }

    /// <summary>dL/dlogits for the next backward call; the loss kernel writes it.</summary>
    public Slice LogitGradient { get; private set; }
    private int _rows;
    private Slice _logitRows;

    public void Initialize(Initializers init, Span<float> parameters)
    {
        init.GlorotUniform(parameters.Slice(Kernel.Offset, Kernel.Length), InputSize, Outputs);
        parameters.Slice(Bias.Offset, Bias.Length).Clear();
    }

    public void Forward(Slice parameters, Slice input, int rows)
    {
        Prepare(rows);
        ForwardRows(parameters, input, 0, rows);
    }

    /// <summary>Sizes <see cref="Output"/> and <see cref="LogitGradient"/> for <paramref name="rows"/> rows.</summary>
    public void Prepare(int rows)
    {
        _rows = rows;
        _logitRows = _logits.Get(rows * Outputs);
        Output = _output.Get(rows * Outputs);
        LogitGradient = _logitGrad.Get(rows * Outputs);
    }

    /// <summary>Rows [first, first + count) of <see cref="Output"/> from their input, (count, in): all rows at once, or one
    /// step's rows in greedy decoding.</summary>
    public void ForwardRows(Slice parameters, Slice input, int first, int count)
    {
        var logits = _logitRows.Sub(first * Outputs, count * Outputs);
        _backend.Gemm(Transpose.No, Transpose.No, count, Outputs, InputSize, 1f, input, InputSize,
            Kernel.In(parameters), Outputs, 0f, logits, Outputs);
        _backend.HeadForward(Head, logits, Bias.In(parameters), count, Outputs, Output.Sub(first * Outputs, count * Outputs));
    }

    /// <summary>The head loss's factor for a per-value mean: the mean over values, or over steps for softmax (one-hot symbols).</summary>
    public float LossScale(float perValue) => Head == OutputHead.Softmax ? perValue * Outputs : perValue;

    /// <summary>The head's loss of the last forward call's <paramref name="steps"/> x <paramref name="batch"/> rows against
    /// <paramref name="targets"/> into loss[0] (see <see cref="HeadLossArgs"/>), the mean over the values given by
    /// <paramref name="scale"/> (softmax: over the steps); with <paramref name="withGradient"/> also <see cref="LogitGradient"/>.</summary>
    public void Loss(Slice targets, int steps, int batch, DeviceIndexArray? lengths, float scale, Slice loss, bool accumulate, bool withGradient) =>
        _backend.HeadLossAndGradient(new HeadLossArgs
        {
            Head = Head, Output = Output, Targets = targets, Steps = steps, Batch = batch, Cols = Outputs,
            Scale = LossScale(scale),
            Loss = loss, AccumulateLoss = accumulate, Lengths = lengths,
            LogitGradient = withGradient ? LogitGradient : default,
        });

    /// <summary>From <see cref="LogitGradient"/> of the last forward's <paramref name="steps"/> x <paramref name="batch"/>
    /// rows: accumulates dW, db (summed in <see cref="BatchReduction"/>'s tree of <paramref name="leafRows"/>-row leaves)
    /// and overwrites <paramref name="inputGradient"/>.</summary>
    public void Backward(Slice parameters, Slice gradients, Slice input, Slice inputGradient, int steps, int batch, int leafRows)
    {
        if (steps * batch != _rows) throw new ArgumentException($"{steps} x {batch} rows for a forward pass of {_rows}");
        _backend.DenseGradient(new DenseGradientArgs
        {
            Input = input, Inputs = InputSize, OutputGradient = LogitGradient, Outputs = Outputs, Steps = steps, Batch = batch,
            LeafRows = leafRows, KernelGradient = Kernel.In(gradients), BiasGradient = Bias.In(gradients),
        });
        _backend.Gemm(Transpose.No, Transpose.Yes, _rows, InputSize, Outputs, 1f, LogitGradient, Outputs,
            Kernel.In(parameters), Outputs, 0f, inputGradient, InputSize);
    }

    public void Dispose()
    {
        _logits.Dispose(); _output.Dispose(); _logitGrad.Dispose();
    }
}

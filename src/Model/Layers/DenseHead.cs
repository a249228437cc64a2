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
            LstmLayer.Of(parameters, Kernel), Outputs, 0f, logits, Outputs);
        _backend.HeadForward(Head, logits, LstmLayer.Of(parameters, Bias), count, Outputs, Output.Sub(first * Outputs, count * Outputs));
    }

    /// <summary>From <see cref="LogitGradient"/>: accumulates dW, db and overwrites <paramref name="inputGradient"/>.</summary>
    public void Backward(Slice parameters, Slice gradients, Slice input, Slice inputGradient)
    {
        _backend.Gemm(Transpose.Yes, Transpose.No, InputSize, Outputs, _rows, 1f, input, InputSize,
            LogitGradient, Outputs, 1f, LstmLayer.Of(gradients, Kernel), Outputs);
        _backend.ColumnSum(LogitGradient, _rows, Outputs, LstmLayer.Of(gradients, Bias), accumulate: true);
        _backend.Gemm(Transpose.No, Transpose.Yes, _rows, InputSize, Outputs, 1f, LogitGradient, Outputs,
            LstmLayer.Of(parameters, Kernel), Outputs, 0f, inputGradient, InputSize);
    }

    public void Dispose()
    {
        _logits.Dispose(); _output.Dispose(); _logitGrad.Dispose();
    }
}

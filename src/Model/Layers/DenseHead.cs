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

    public void Initialize(Initializers init, Span<float> parameters)
    {
        init.GlorotUniform(parameters.Slice(Kernel.Offset, Kernel.Length), InputSize, Outputs);
        parameters.Slice(Bias.Offset, Bias.Length).Clear();
    }

    public void Forward(Slice parameters, Slice input, int rows)
    {
        _rows = rows;
        var logits = _logits.Get(rows * Outputs);
        _backend.Gemm(Transpose.No, Transpose.No, rows, Outputs, InputSize, 1f, input, InputSize,
            LstmLayer.Of(parameters, Kernel), Outputs, 0f, logits, Outputs);
        Output = _output.Get(rows * Outputs);
        LogitGradient = _logitGrad.Get(rows * Outputs);
        _backend.HeadForward(Head, logits, LstmLayer.Of(parameters, Bias), rows, Outputs, Output);
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

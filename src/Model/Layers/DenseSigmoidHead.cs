using RecurrentAE.Kernels;

namespace RecurrentAE.Model.Layers;

/// <summary>Time-distributed Dense + sigmoid: p = sigmoid(h W + b) at every step, as one GEMM over all steps plus a fused kernel.
/// Its backward takes dL/dlogits from the fused BCE gradient.</summary>
internal sealed class DenseSigmoidHead : IDisposable
{
    private readonly IComputeBackend _backend;
    private readonly GrowableBuffer _logits, _probabilities, _logitGrad;

    public DenseSigmoidHead(IComputeBackend backend, ParameterLayoutBuilder layout, string name, int inputSize, int outputs)
    {
        _backend = backend;
        InputSize = inputSize;
        Outputs = outputs;
        Kernel = layout.Add($"{name}.kernel", inputSize, outputs);
        Bias = layout.Add($"{name}.bias", outputs);
        _logits = new(backend); _probabilities = new(backend); _logitGrad = new(backend);
    }

    public int InputSize { get; }
    public int Outputs { get; }
    public ParameterInfo Kernel { get; }
    public ParameterInfo Bias { get; }
    public Slice Probabilities { get; private set; }
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
        Probabilities = _probabilities.Get(rows * Outputs);
        LogitGradient = _logitGrad.Get(rows * Outputs);
        _backend.BiasSigmoidForward(logits, LstmLayer.Of(parameters, Bias), rows, Outputs, Probabilities);
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
        _logits.Dispose(); _probabilities.Dispose(); _logitGrad.Dispose();
    }
}

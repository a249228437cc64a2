using RecurrentAE.Kernels;

namespace RecurrentAE.Model.Layers;

/// <summary>
/// The coding of a sparse or variational model, computed from the last encoder LSTM's state h (batch x U) by Dense layers
/// of U -> U (the coding keeps the LSTM's size, so <see cref="AutoencoderSpec.CodingSize"/> stays the last encoder size):
/// <list type="bullet">
/// <item>Sparse: coding = sigmoid(h Wc + bc) (Géron's sigmoid coding layer); the penalties (<see cref="SparsityPenalty"/>)
/// add to the loss and their gradient is fused with the sigmoid's backward.</item>
/// <item>Variational: mean = h Wm + bm and log-variance = h Wv + bv, two Dense layers as in Kingma and Welling (2014) and
/// Bowman et al. (2016), rather than an LSTM of 2U units split in two (whose tanh-bounded state would bound the
/// log-variance to (-1, 1)); training samples coding = mean + exp(logvar / 2) eps, evaluation and encoding use the mean.</item>
/// </list>
/// </summary>
internal sealed class CodingLayer : IDisposable
{
    private readonly IComputeBackend _backend;
    private readonly GrowableBuffer _logits, _first, _second, _sampled, _codingGrad, _firstGrad, _secondGrad;
    private readonly ParameterInfo _kernel, _bias;
    private readonly ParameterInfo _kernel2 = null!, _bias2 = null!; // variational only
    private int _batch;
    private CounterKey? _sample;

    public CodingLayer(IComputeBackend backend, ParameterLayoutBuilder layout, CodingKind kind, int size)
    {
        if (kind == CodingKind.State) throw new ArgumentException("the state coding has no coding layer", nameof(kind));
        _backend = backend;
        Kind = kind;
        Size = size;
        string first = kind == CodingKind.Sparse ? "encoder.coding" : "encoder.mean";
        _kernel = layout.Add($"{first}.kernel", size, size);
        _bias = layout.Add($"{first}.bias", size);
        if (kind == CodingKind.Variational)
        {
            _kernel2 = layout.Add("encoder.log_var.kernel", size, size);
            _bias2 = layout.Add("encoder.log_var.bias", size);
        }
        _logits = new(backend); _first = new(backend); _second = new(backend); _sampled = new(backend);
        _codingGrad = new(backend); _firstGrad = new(backend); _secondGrad = new(backend);
    }

    public CodingKind Kind { get; }
    public int Size { get; }

    /// <summary>The coding of the last forward: the sigmoid coding, the sample (training) or the mean.</summary>
    public Slice Output { get; private set; }
    /// <summary>The variational mean (the sparse coding) of the last forward, (batch, size).</summary>
    public Slice Mean { get; private set; }
    /// <summary>The variational log-variance of the last forward.</summary>
    public Slice LogVar { get; private set; }
    /// <summary>dL/dcoding for <see cref="Backward"/>: the decoder writes it.</summary>
    public Slice CodingGradient { get; private set; }

    public void Initialize(Initializers init, Span<float> parameters)
    {
        init.GlorotUniform(parameters.Slice(_kernel.Offset, _kernel.Length), Size, Size);
        parameters.Slice(_bias.Offset, _bias.Length).Clear();
        if (Kind != CodingKind.Variational) return;
        init.GlorotUniform(parameters.Slice(_kernel2.Offset, _kernel2.Length), Size, Size);
        parameters.Slice(_bias2.Offset, _bias2.Length).Clear();
    }

    /// <summary>The coding of <paramref name="batch"/> states; <paramref name="sample"/>: the variational draw's key in
    /// training, null for the mean.</summary>
    public void Forward(Slice parameters, Slice state, int batch, CounterKey? sample)
    {
        _batch = batch;
        _sample = sample;
        int n = batch * Size;
        var logits = _logits.Get(n);
        Mean = _first.Get(n);
        CodingGradient = _codingGrad.Get(n);
        Dense(parameters, state, _kernel, _bias, Kind == CodingKind.Sparse ? OutputHead.Sigmoid : OutputHead.Linear, logits, Mean);
        if (Kind == CodingKind.Sparse)
        {
            Output = Mean;
            return;
        }
        LogVar = _second.Get(n);
        Dense(parameters, state, _kernel2, _bias2, OutputHead.Linear, logits, LogVar);
        if (sample is CounterKey key)
        {
            Output = _sampled.Get(n);
            _backend.Reparameterize(Mean, LogVar, n, key, Output);
        }
        else Output = Mean;
    }

    private void Dense(Slice parameters, Slice state, ParameterInfo kernel, ParameterInfo bias, OutputHead activation, Slice logits, Slice output)
    {
        _backend.Gemm(Transpose.No, Transpose.No, _batch, Size, Size, 1f, state, Size, kernel.In(parameters), Size, 0f, logits, Size);
        _backend.HeadForward(activation, logits, bias.In(parameters), _batch, Size, output);
    }

    /// <summary>The variational KL per value (loss[0] = scale * sum KL), or the sparse penalties (weighted); after <see cref="Forward"/>.</summary>
    public void Regularizer(Slice loss, bool accumulate, float klScale, SparsityPenalty sparsity)
    {
        if (Kind == CodingKind.Variational) _backend.KlDivergence(Mean, LogVar, _batch * Size, klScale, loss, accumulate);
        else _backend.SparsityPenalty(Mean, _batch, Size, sparsity, loss, accumulate);
    }

    /// <summary>From <see cref="CodingGradient"/> (and the regulariser's gradient: the KL's times <paramref name="klGradientScale"/>,
    /// the sparsity penalties'): accumulates the Dense layers' gradients and overwrites <paramref name="stateGradient"/>.</summary>
    public void Backward(Slice parameters, Slice gradients, Slice state, Slice stateGradient, float klGradientScale, SparsityPenalty sparsity, int leafRows)
    {
        int n = _batch * Size;
        var dFirst = _firstGrad.Get(n);
        if (Kind == CodingKind.Sparse)
        {
            _backend.SparsityBackward(Mean, CodingGradient, _batch, Size, sparsity, dFirst);
            DenseBackward(parameters, gradients, state, _kernel, _bias, dFirst, stateGradient, 0f, leafRows);
            return;
        }
        var dSecond = _secondGrad.Get(n);
        if (_sample is CounterKey key) _backend.ReparameterizeBackward(LogVar, CodingGradient, n, key, dFirst, dSecond);
        else
        {
            _backend.Copy(CodingGradient, dFirst);
            _backend.Fill(dSecond, 0f);
        }
        if (klGradientScale != 0) _backend.KlDivergenceBackward(Mean, LogVar, n, klGradientScale, dFirst, dSecond);
        DenseBackward(parameters, gradients, state, _kernel, _bias, dFirst, stateGradient, 0f, leafRows);
        DenseBackward(parameters, gradients, state, _kernel2, _bias2, dSecond, stateGradient, 1f, leafRows);
    }

    private void DenseBackward(Slice parameters, Slice gradients, Slice state, ParameterInfo kernel, ParameterInfo bias, Slice dLogits,
        Slice stateGradient, float beta, int leafRows)
    {
        _backend.DenseGradient(new DenseGradientArgs
        {
            Input = state, Inputs = Size, OutputGradient = dLogits, Outputs = Size, Steps = 1, Batch = _batch,
            LeafRows = leafRows, KernelGradient = kernel.In(gradients), BiasGradient = bias.In(gradients),
        });
        _backend.Gemm(Transpose.No, Transpose.Yes, _batch, Size, Size, 1f, dLogits, Size, kernel.In(parameters), Size, beta, stateGradient, Size);
    }

    public void Dispose()
    {
        _logits.Dispose(); _first.Dispose(); _second.Dispose(); _sampled.Dispose();
        _codingGrad.Dispose(); _firstGrad.Dispose(); _secondGrad.Dispose();
    }
}

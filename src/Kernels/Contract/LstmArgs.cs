namespace RecurrentAE.Kernels;

/// <summary>
/// One LSTM layer run forward over a whole sequence, time-major, Keras gate order i, f, c, o:
/// z_t = xproj_t + h_{t-1} U + b; i = sig(z_i); f = sig(z_f); g = tanh(z_c); o = sig(z_o);
/// c_t = f*c_{t-1} + i*g; h_t = o*tanh(c_t); h_{-1} = c_{-1} = 0 unless an initial state is given.
/// </summary>
public readonly record struct LstmForwardArgs
{
    /// <summary>Steps T of the sequence.</summary>
    public required int Steps { get; init; }

    /// <summary>Sequences B run side by side.</summary>
    public required int Batch { get; init; }

    /// <summary>Units U of the layer (h and c have U values).</summary>
    public required int Units { get; init; }

    /// <summary>x_t W for every step, without bias: (steps, batch, 4U), or (batch, 4U) with a step stride of 0 (RepeatVector).</summary>
    public required Slice InputProjection { get; init; }

    /// <summary>Floats between consecutive steps of <see cref="InputProjection"/>: batch*4U, or 0 when one projection feeds every step.</summary>
    public required int InputProjectionStepStride { get; init; }

    /// <summary>Recurrent kernel U, (units, 4*units) row-major.</summary>
    public required Slice RecurrentKernel { get; init; }

    /// <summary>Bias, 4*units.</summary>
    public required Slice Bias { get; init; }

    /// <summary>Out: h_t for every step, (steps, batch, units).</summary>
    public required Slice Hidden { get; init; }

    /// <summary>Out: c_t for every step, (steps, batch, units).</summary>
    public required Slice Cell { get; init; }

    /// <summary>Out: the activated gates i, f, g, o for every step, (steps, batch, 4*units), kept for backward.</summary>
    public required Slice Gates { get; init; }

    /// <summary>Optional (batch) sequence lengths; empty means every sequence has <see cref="Steps"/> steps.
    /// Past its length a sequence keeps its last h and c (Keras masking); a length of 0 keeps the initial state.</summary>
    public DeviceIndexArray? Lengths { get; init; }

    /// <summary>Optional h_{-1}, (batch, units); empty means zeros. With <see cref="InitialCell"/> it lets a sequence
    /// continue from a state, one call of <c>Steps = 1</c> after another (greedy decoding). It must not overlap the outputs.
    /// Inference only: <see cref="LstmBackwardArgs"/> assumes a zero initial state.</summary>
    public Slice InitialHidden { get; init; }

    /// <summary>Optional c_{-1}, (batch, units); empty means zeros (see <see cref="InitialHidden"/>).</summary>
    public Slice InitialCell { get; init; }
}

/// <summary>
/// The backward pass of <see cref="LstmForwardArgs"/> over the whole sequence, in reverse time.
/// Produces dL/dz_t for every step, and accumulates the recurrent-kernel and bias gradients.
/// The input-kernel gradient (X^T dZ) and the input gradient (dZ W^T) are plain GEMMs the caller runs.
/// The forward pass must have started from the zero state (no <see cref="LstmForwardArgs.InitialHidden"/> or
/// <see cref="LstmForwardArgs.InitialCell"/>): an initial state is for inference only.
/// </summary>
public readonly record struct LstmBackwardArgs
{
    /// <summary>Steps T, as in the forward pass.</summary>
    public required int Steps { get; init; }

    /// <summary>Sequences B, as in the forward pass.</summary>
    public required int Batch { get; init; }

    /// <summary>Units U, as in the forward pass.</summary>
    public required int Units { get; init; }

    /// <summary>Recurrent kernel U, (units, 4*units), as in the forward pass.</summary>
    public required Slice RecurrentKernel { get; init; }

    /// <summary>Saved forward output h_t (see <see cref="LstmForwardArgs.Hidden"/>).</summary>
    public required Slice Hidden { get; init; }

    /// <summary>Saved forward output c_t (see <see cref="LstmForwardArgs.Cell"/>).</summary>
    public required Slice Cell { get; init; }

    /// <summary>Saved activated gates (see <see cref="LstmForwardArgs.Gates"/>).</summary>
    public required Slice Gates { get; init; }

    /// <summary>In: dL/dh_t arriving from above at every step, (steps, batch, units). Overwritten (used as scratch).</summary>
    public required Slice HiddenGradient { get; init; }

    /// <summary>Scratch of batch*units floats for dL/dc carried back through time.</summary>
    public required Slice CellGradientScratch { get; init; }

    /// <summary>Out: dL/dz_t, (steps, batch, 4*units) (pre-activation gate gradients).</summary>
    public required Slice GateGradient { get; init; }

    /// <summary>Accumulated: += sum_t h_{t-1}^T dz_t, (units, 4*units).</summary>
    public required Slice RecurrentKernelGradient { get; init; }

    /// <summary>Accumulated: += sum over steps and batch of dz, 4*units.</summary>
    public required Slice BiasGradient { get; init; }

    /// <summary>The leaf size of <see cref="BatchReduction"/>'s tree for the two gradients above (from the global batch);
    /// 0: that of <see cref="Batch"/>.</summary>
    public int LeafRows { get; init; }

    /// <summary>Optional sequence lengths, as in the forward pass.</summary>
    public DeviceIndexArray? Lengths { get; init; }
}

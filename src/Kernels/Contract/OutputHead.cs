namespace RecurrentAE.Kernels;

/// <summary>The activation of the Dense layer at every step and the loss that goes with it.</summary>
public enum OutputHead
{
    /// <summary>sigmoid, binary cross-entropy with Keras's clipping (data in [0, 1], e.g. pixels).</summary>
    Sigmoid,

    /// <summary>identity, mean squared error (real-valued, standardised data).</summary>
    Linear,

    /// <summary>softmax over the row, categorical cross-entropy against one-hot targets (characters of text).</summary>
    Softmax,
}

/// <summary>
/// The loss of an output head over a time-major (steps, batch, cols) block, and its fused gradient with respect to the
/// logits (pre-activation). Rows past a sequence's length (t &gt;= Lengths[b]) add nothing to the loss or the gradient.
/// loss[0] (+)= Scale * sum of the per-element (or, for softmax, per-row) losses; gradient = Scale * d(sum)/d(logits):
/// Sigmoid: -(y log p + (1-y) log(1-p)) with p clipped to [1e-7, 1-1e-7], gradient (p - y), 0 where clipped;
/// Linear: (p - y)^2, gradient 2 (p - y); Softmax: -sum_j y_j log p_j (p from a stable log-sum-exp), gradient p - y.
/// </summary>
public readonly record struct HeadLossArgs
{
    /// <summary>The head whose loss this is.</summary>
    public required OutputHead Head { get; init; }

    /// <summary>The head's output p (after the activation), (steps, batch, cols).</summary>
    public required Slice Output { get; init; }

    /// <summary>The targets y, same shape as <see cref="Output"/>.</summary>
    public required Slice Targets { get; init; }

    /// <summary>Steps of the block.</summary>
    public required int Steps { get; init; }

    /// <summary>Sequences of the block.</summary>
    public required int Batch { get; init; }

    /// <summary>Values a row (features, or the vocabulary for softmax).</summary>
    public required int Cols { get; init; }

    /// <summary>Multiplies the summed loss and the gradient (1 / the count the mean is over).</summary>
    public required float Scale { get; init; }

    /// <summary>Out: one float, the scaled loss.</summary>
    public required Slice Loss { get; init; }

    /// <summary>Add to <see cref="Loss"/> instead of overwriting it (evaluation over several batches).</summary>
    public bool AccumulateLoss { get; init; }

    /// <summary>Empty: loss only.</summary>
    public Slice LogitGradient { get; init; }

    /// <summary>Optional (batch) sequence lengths; null means every row counts.</summary>
    public DeviceIndexArray? Lengths { get; init; }
}

using RecurrentAE.Model.Training;
using RecurrentAE.Kernels;
using RecurrentAE.Model.Layers;

namespace RecurrentAE.Model;

/// <summary>Inputs corrupted for an evaluation (denoising): Gaussian noise of deviation <paramref name="NoiseStd"/> and
/// dropout of rate <paramref name="Dropout"/>, drawn from <paramref name="Seed"/> (the same draws on every run).</summary>
public sealed record InputCorruption(float NoiseStd, float Dropout = 0f, int Seed = 0);

/// <summary>
/// The denoising, sparse and variational autoencoders' training settings (issue 15). Denoising corrupts the encoder's
/// inputs in training steps (<see cref="InputNoise"/>, <see cref="InputDropout"/>) while the loss compares with the clean
/// sequence. A sparse model (<see cref="CodingKind.Sparse"/>) adds <see cref="Sparsity"/>'s penalties to the loss; a
/// variational one (<see cref="CodingKind.Variational"/>) adds <see cref="KlFactor"/> times its KL divergence to N(0, I),
/// per value like the loss (the per-sequence KL divided by the sequence's steps x features; per step for softmax).
/// Every draw (noise, dropout, eps) is a counter-based hash of (the model's seed, the Adam step about to be taken, the
/// element), so a resumed run (its Adam step restored) draws what an uninterrupted one would.
/// </summary>
public sealed partial class RecurrentAutoencoder
{
    private readonly CodingLayer? _coding;
    private readonly GrowableBuffer _corrupted;
    private readonly DeviceArray _regularizer;
    private float _inputNoise, _inputDropout;

    /// <summary>The deviation of the Gaussian noise added to the encoder's inputs in training steps (Keras GaussianNoise); 0: off.</summary>
    public float InputNoise
    {
        get => _inputNoise;
        set => _inputNoise = value >= 0 && float.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), $"the input noise must be a number at least 0, not {value}");
    }

    /// <summary>The probability, in [0, 1), that a training step zeroes an input value (the others scaled by 1 / (1 - p), Keras Dropout); 0: off.</summary>
    public float InputDropout
    {
        get => _inputDropout;
        set => _inputDropout = value >= 0 && value < 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), $"the input dropout must be at least 0 and below 1, not {value}");
    }

    /// <summary>The KL term's factor in a variational model's loss: the KL weight times the warm-up's ramp (the <see cref="Trainer"/> sets it every step).</summary>
    public float KlFactor { get; set; } = 1f;

    /// <summary>A sparse model's penalties (target, KL weight, L1 weight); all 0: none.</summary>
    public SparsityPenalty Sparsity { get; set; }

    /// <summary>The reconstruction loss of the last training step (the head's loss, without the regulariser).</summary>
    public float LastReconstruction { get; private set; }

    /// <summary>The regulariser of the last training step: a variational model's KL per value (unweighted), a sparse
    /// model's weighted penalties; NaN for other models.</summary>
    public float LastRegularizer { get; private set; } = float.NaN;

    /// <summary>The seed of the training draws (noise, dropout, eps, the teacher-forcing mask): the model's seed unless
    /// set; the <see cref="Trainer"/> sets it to <see cref="TrainingOptions.Seed"/>, so a resumed run draws the same
    /// whatever seed its model was built with.</summary>
    public int DrawSeed
    {
        get => _drawSeed ?? _seed;
        set => _drawSeed = value;
    }
    private int? _drawSeed;

    /// <summary>The step's eps key: the Adam step about to be taken.</summary>
    private CounterKey ReparameterizationKey() => CounterKey.For(DrawSeed, DrawStep, CounterKey.ReparameterizationStream);

    /// <summary>The step the training draws are keyed by: the Adam step about to be taken; on a data-parallel rank also
    /// its shard's offset in the global batch, so the ranks draw independently (and, like one process, repeatably),
    /// though not the very draws one process would.</summary>
    private long DrawStep => _dropoutShard is { } shard ? ((long)_adam.Step << 24) + shard.Offset + 1 : _adam.Step;

    /// <summary>A corrupted copy of the batch x (x itself stays the clean target).</summary>
    private Slice Corrupt(Slice x, int count, float noise, float dropout, int seed, long step)
    {
        var y = _corrupted.Get(count);
        Backend.CorruptInputs(x, count, noise, dropout, CounterKey.For(seed, step, CounterKey.NoiseStream),
            CounterKey.For(seed, step, CounterKey.DropoutStream), y);
        return y;
    }

    /// <summary>The step's loss as trained: the reconstruction plus the regulariser (read back from the device).</summary>
    private float TotalLoss()
    {
        LastReconstruction = Download(_loss.All)[0];
        if (_coding is null) return LastReconstruction;
        LastRegularizer = Download(_regularizer.All)[0];
        return Spec.Coding == CodingKind.Variational ? LastReconstruction + KlFactor * LastRegularizer : LastReconstruction + LastRegularizer;
    }
}

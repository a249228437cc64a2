namespace RecurrentAE.Model;

/// <summary>How to train; the defaults are the reference run (docs/reference.md). <paramref name="TeacherForcingDropout"/>: see
/// <see cref="RecurrentAutoencoder.TeacherForcingDropout"/> (0, off, for a checkpoint written before it existed).</summary>
/// <param name="Epochs">Epochs to train (the total, when resuming).</param>
/// <param name="BatchSize">Sequences a step; the last batch of an epoch is the remainder.</param>
/// <param name="LearningRate">Adam's learning rate.</param>
/// <param name="Seed">Seed of the epochs' shuffles (the model takes its own seed for the initial weights).</param>
/// <param name="MaxStepsPerEpoch">At most this many steps an epoch (quick runs); null: the whole training set.</param>
/// <param name="TeacherForcingDropout">With a teacher-forced model: the probability of blanking a previous step during training.</param>
public sealed record TrainingOptions(int Epochs = 10, int BatchSize = 32, float LearningRate = 1e-3f, int Seed = 42, int? MaxStepsPerEpoch = null,
    float TeacherForcingDropout = 0f)
{
    /// <summary>Throws <see cref="ArgumentException"/> when an option is out of range.</summary>
    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentException($"epochs must be at least 1, not {Epochs}");
        if (BatchSize < 1) throw new ArgumentException($"the batch size must be at least 1, not {BatchSize}");
        if (!(LearningRate > 0) || float.IsInfinity(LearningRate)) throw new ArgumentException($"the learning rate must be positive, not {LearningRate}");
        if (MaxStepsPerEpoch is < 1) throw new ArgumentException($"max steps must be at least 1, not {MaxStepsPerEpoch}");
        if (!(TeacherForcingDropout >= 0 && TeacherForcingDropout < 1))
            throw new ArgumentException($"teacher-forcing dropout must be at least 0 and below 1, not {TeacherForcingDropout}");
    }
}

/// <summary>One epoch's figures, as Keras prints them. Seconds is the whole epoch with validation; ms/step is training only.</summary>
/// <param name="Epoch">The epoch, 1-based.</param>
/// <param name="Loss">The mean training loss of the epoch (weighted by batch size).</param>
/// <param name="ValLoss">The validation loss after the epoch (NaN without validation data).</param>
/// <param name="Seconds">The epoch's wall time, validation included.</param>
/// <param name="MsPerStep">Milliseconds a training step.</param>
public sealed record EpochResult(int Epoch, double Loss, double ValLoss, double Seconds, double MsPerStep);

/// <summary>Where training stands: the next epoch (0-based), the next step in it, and the running loss of that epoch so far.</summary>
/// <param name="Epoch">The next epoch, 0-based.</param>
/// <param name="Step">The next step in it, 0-based.</param>
/// <param name="LossSum">The epoch's loss so far, summed over sequences.</param>
/// <param name="LossCount">The sequences that sum is over.</param>
public sealed record TrainingPosition(int Epoch, int Step, double LossSum, int LossCount)
{
    /// <summary>The start of training: epoch 0, step 0.</summary>
    public static TrainingPosition Start { get; } = new(0, 0, 0, 0);
}

/// <summary>Thrown when a step's loss is NaN or infinite: the run stops and the last good checkpoint stays.</summary>
public sealed class TrainingDivergedException(int epoch, int step, float loss)
    : Exception($"the loss became {loss} at epoch {epoch}, step {step}: training stopped; lower --lr or check the data (the last checkpoint is kept)")
{
    /// <summary>The epoch (1-based) whose step diverged.</summary>
    public int Epoch { get; } = epoch;
    /// <summary>The step (1-based) whose loss was not finite.</summary>
    public int Step { get; } = step;
}

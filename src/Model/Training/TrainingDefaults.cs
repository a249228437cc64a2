using RecurrentAE.Model.Checkpoints;

namespace RecurrentAE.Model.Training;

/// <summary>
/// Each data kind's training defaults, in this one place: what <c>rae train</c> uses for every setting no flag names, and
/// what a library user starts from to train the way the command does.
/// The reference Fashion-MNIST run keeps the seed's settings exactly (<see cref="TrainingOptions"/>'s own defaults: 10
/// epochs, Adam 1e-3 constant, no early stopping, no clipping). Every other source trains until val_loss stops improving
/// (early stopping with the best epoch's weights) under a generous epoch cap; the values were chosen by measurement on
/// synthetic ragged series, ECG heartbeats and lines of English (docs/training-defaults.md). A new data kind adds its case here.
/// </summary>
public static class TrainingDefaults
{
    /// <summary>The reference run (REFERENCE.md).</summary>
    public static TrainingOptions Reference { get; } = new();

    /// <summary>Numeric sequences (--csv, --npy): Adam 1e-3 halved after 20 epochs without improvement (down to 5e-5),
    /// gradients clipped to norm 1, stopped after 50 epochs without improvement. Small sets have few steps an epoch and a
    /// noisy val_loss with long flat stretches (ECG: epochs 30-60), so both patiences are long; shorter ones stopped
    /// or slowed the run on a flat stretch and scored worse (docs/training-defaults.md).</summary>
    public static TrainingOptions Sequences { get; } = new(Epochs: 1000, EarlyStoppingPatience: 50,
        Schedule: LearningRateSchedule.Plateau, PlateauFactor: 0.5f, PlateauPatience: 20, ClipNorm: 1f);

    /// <summary>Lines of text (--text): Adam 1.5e-3 with a cosine to lr/20 over the epoch cap, the decoder's previous
    /// characters blanked with probability 0.25, and early stopping as a guard; and augmentation, so that a small file is
    /// not memorised: each epoch 90% of the lines are replaced by random splices of whole words of several lines and 80%
    /// of the rest by a random part of themselves; batches bucketed by length (<see cref="TrainingOptions.BucketByLength"/>:
    /// a step runs to its batch's longest line). Held-out per-character accuracy after 30,000 steps on 9,000 lines of
    /// release-note prose: 0.40 without augmentation (memorised by epoch 16), 0.67 with crops alone, 0.78 with splices and
    /// buckets at the text sample's lr 1e-2, and 0.897 / 0.921 / 0.902 at lr 3e-3 / 1.5e-3 / 1e-3; on 9,000 lines of
    /// fortunes 0.904 at 1.5e-3 (docs/training-defaults.md). The step budget is long enough that a low rate wins: lr 1e-2
    /// (tuned for 15 epochs) leaves the loss at its noise floor.</summary>
    public static TrainingOptions Text { get; } = new(Epochs: 15, LearningRate: 1.5e-3f, TeacherForcingDropout: 0.25f,
        EarlyStoppingPatience: 10, Schedule: LearningRateSchedule.Cosine, ClipNorm: 1f, CropProbability: 0.8f, SpliceProbability: 0.9f,
        BucketByLength: true);

    /// <summary>The text recipe's budget in Adam steps: about 10 minutes of the default model on 2 cores (about 18 ms a
    /// length-bucketed step for lines of up to 40 characters, and the validation after each epoch); a file of N lines gets
    /// enough epochs for this many steps (15 epochs of 10k lines, 4,700 steps, left val_loss falling steeply at 0.41
    /// per-character accuracy).</summary>
    public const int TextStepBudget = 30_000;

    /// <summary>The text epoch cap for <paramref name="trainCount"/> training lines at <paramref name="batchSize"/>: enough
    /// epochs for <see cref="TextStepBudget"/> steps, at least <see cref="Text"/>'s 15 and at most 300.</summary>
    public static int TextEpochs(int trainCount, int batchSize)
    {
        int stepsPerEpoch = Math.Max(1, (trainCount + batchSize - 1) / batchSize);
        return Math.Clamp((TextStepBudget + stepsPerEpoch - 1) / stepsPerEpoch, Text.Epochs, 300);
    }

    /// <summary>The share of a file's sequences (or lines) that <c>rae train --csv/--npy/--text</c> holds out for val_loss
    /// by default (<c>--valid-fraction</c>): the last tenth.</summary>
    public const double ValidFraction = 0.1;

    /// <summary>How many of <paramref name="count"/> sequences validate at <paramref name="fraction"/>: the last
    /// round(fraction x count) of them, at least one when the fraction is above 0 and there are two or more.</summary>
    public static int ValidCount(int count, double fraction)
    {
        int validCount = (int)Math.Round(fraction * count);
        return fraction > 0 && validCount == 0 && count > 1 ? 1 : validCount;
    }

    /// <summary>The defaults for data of <paramref name="kind"/> (a <see cref="DataInfo"/> kind name).</summary>
    public static TrainingOptions For(string kind) => kind switch
    {
        DataInfo.FashionMnistKind => Reference,
        DataInfo.TextKind => Text,
        _ => Sequences,
    };
}

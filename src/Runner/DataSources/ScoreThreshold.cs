using RecurrentAE.Model.Analysis;
using RecurrentAE.Runner.Commands;

namespace RecurrentAE.Runner.DataSources;

/// <summary>
/// The anomaly threshold for scores under a chosen rule: the one stored at training when the rule is the one it was
/// computed with; otherwise computed again the same way (the 99th percentile of the training sequences' scores, under the
/// chosen rule) from the run's training data, read and split as training read it. Without that data it is a one-line
/// error: thresholds of different rules are on different scales, so a stored one is never applied to another rule.
/// </summary>
internal static class ScoreThreshold
{
    /// <summary>The threshold and how it was obtained (for the command's summary line).</summary>
    public static (double Threshold, string Origin) For(Checkpoint checkpoint, RecurrentAutoencoder model, SequenceScore rule, string command)
    {
        var info = checkpoint.Data;
        double stored = Stored(checkpoint);
        if (rule == info.ScoreRule) return (stored, "the 99th percentile of the training scores, stored at training");
        TrainingData training;
        try
        {
            training = TrainingData.Load(null, null, null, checkpoint);
        }
        catch (Exception e) when (e is UsageException or DataFormatException)
        {
            throw new UsageException($"the threshold stored in {checkpoint.Path} is for the score rule {info.ScoreRule}; '{command}' with {rule} " +
                $"recomputes it from the training data, which cannot be read ({RaeApp.OneLine(e.Message)}); score with the stored rule (no --score/--smooth/--top-k)");
        }
        double threshold = TrainingData.Threshold(model, training.Train, rule);
        return (threshold, $"the 99th percentile of the {training.Train.Count:N0} training sequences' scores under {rule}, recomputed from {info.Source}");
    }

    /// <summary>The threshold stored at training; a model without one (Fashion-MNIST, or training unfinished) is a one-line error.</summary>
    public static double Stored(Checkpoint checkpoint) => checkpoint.Data.Threshold ?? throw new UsageException(checkpoint.Data.IsFashionMnist
        ? $"{checkpoint.Path} was trained on Fashion-MNIST and holds no anomaly threshold; score with a model trained with --csv, --npy or --text"
        : $"{checkpoint.Path} holds no anomaly threshold (training did not finish; complete it with 'rae train --resume {CommonOptions.ModelDirectory(checkpoint.Path)}')");
}

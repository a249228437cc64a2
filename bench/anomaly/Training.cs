using RecurrentAE.Kernels;
using RecurrentAE.Model;
using RecurrentAE.Model.Data;
using RecurrentAE.Model.Training;

namespace RecurrentAE.Bench.Anomaly;

/// <summary>A model trained the way <c>rae train --csv FILE</c> trains one, through the library.</summary>
internal sealed record TrainedModel(RecurrentAutoencoder Model, Standardizer Scaler, double Seconds, int Epochs, int BestEpoch, double Loss, double ValLoss);

internal static class Training
{
    /// <summary>
    /// What <c>rae train --csv FILE</c> does with no tuning flags (src/Runner/Commands/TrainCommand.cs and Data/TrainingData.cs):
    /// the last 10% of the sequences validate; mse on values standardised per feature with the training part's mean and
    /// deviation; encoder [100, 30], decoder [100], the decoder emitting each sequence back to front; seed 42; and the
    /// numeric-sequence training defaults, <see cref="TrainingDefaults.Sequences"/> (early stopping on val_loss with the best
    /// weights restored, a plateau schedule, clipping, a 1000-epoch cap). The bench's --epochs, --lr and --batch-size
    /// override the cap, the learning rate and the batch size, as the command's flags do.
    /// </summary>
    public static TrainedModel Train(IComputeBackend backend, SequenceDataset all, int? epochs = null, float? learningRate = null, int? batchSize = null)
    {
        int validCount = Math.Max(1, (int)Math.Round(0.1 * all.Count));
        var train = all.Take(0, all.Count - validCount);
        var valid = all.Take(all.Count - validCount, validCount);
        var scaler = Standardizer.Fit(train);
        var spec = new AutoencoderSpec(all.Features, [100, 30], [100], OutputHead.Linear, ReverseOutput: true);
        var defaults = TrainingDefaults.Sequences;
        var options = defaults with
        {
            Epochs = epochs ?? defaults.Epochs,
            LearningRate = learningRate ?? defaults.LearningRate,
            BatchSize = batchSize ?? defaults.BatchSize,
            Seed = 42,
        };
        var model = new RecurrentAutoencoder(backend, spec, options.Seed, 256);
        model.Adam = model.Adam with { LearningRate = options.LearningRate };
        using var trainData = model.Upload(scaler.Apply(train));
        using var validData = model.Upload(scaler.Apply(valid));
        var trainer = new Trainer(model, trainData, validData, options);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        trainer.Run(CancellationToken.None);
        // The weights the run ends on are the best epoch's (early stopping restores them); report that epoch's losses.
        int bestEpoch = trainer.Monitor.BestEpoch;
        var best = trainer.History.FirstOrDefault(h => h.Epoch == bestEpoch) ?? trainer.History[^1];
        return new TrainedModel(model, scaler, clock.Elapsed.TotalSeconds, trainer.History.Count, bestEpoch, best.Loss, best.ValLoss);
    }
}

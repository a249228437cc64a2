using RecurrentAE.Kernels;
using RecurrentAE.Model;
using RecurrentAE.Model.Data;
using RecurrentAE.Model.Training;

namespace RecurrentAE.Bench.Anomaly;

/// <summary>A model trained the way <c>rae train --csv FILE</c> trains one, through the library.</summary>
internal sealed record TrainedModel(RecurrentAutoencoder Model, Standardizer Scaler, double Seconds, int Epochs, double Loss, double ValLoss);

internal static class Training
{
    /// <summary>
    /// What <c>rae train --csv</c> does by default (src/Runner/Commands/TrainCommand.cs and Data/TrainingData.cs at the
    /// time of writing): the last 10% of the sequences validate; mse on values standardised per feature with the training
    /// part's mean and deviation; encoder [100, 30], decoder [100], the decoder emitting each sequence back to front; batch
    /// 32, Adam at 1e-3, seed 42 - except the number of epochs, which the bench sets (the command's 10 are far from
    /// converged on these sets), and the learning rate and batch size when the bench is asked for others (--lr, --batch-size:
    /// to see what a better-converged model does). Change this one function when the command's defaults change.
    /// </summary>
    public static TrainedModel Train(IComputeBackend backend, SequenceDataset all, int epochs, float learningRate = 1e-3f, int batchSize = 32)
    {
        int validCount = Math.Max(1, (int)Math.Round(0.1 * all.Count));
        var train = all.Take(0, all.Count - validCount);
        var valid = all.Take(all.Count - validCount, validCount);
        var scaler = Standardizer.Fit(train);
        var spec = new AutoencoderSpec(all.Features, [100, 30], [100], OutputHead.Linear, ReverseOutput: true);
        var options = new TrainingOptions(Epochs: epochs, BatchSize: batchSize, LearningRate: learningRate, Seed: 42);
        var model = new RecurrentAutoencoder(backend, spec, options.Seed, 256);
        model.Adam = model.Adam with { LearningRate = options.LearningRate };
        using var trainData = model.Upload(scaler.Apply(train));
        using var validData = model.Upload(scaler.Apply(valid));
        var trainer = new Trainer(model, trainData, validData, options);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        trainer.Run(CancellationToken.None);
        var last = trainer.History[^1];
        return new TrainedModel(model, scaler, clock.Elapsed.TotalSeconds, trainer.History.Count, last.Loss, last.ValLoss);
    }
}

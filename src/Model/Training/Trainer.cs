using System.Diagnostics;

namespace RecurrentAE.Model;

/// <summary>
/// The training loop: shuffled mini-batches from a resident data set, one Adam step each, validation after every epoch.
/// It reports through callbacks and can stop at the end of any step (cancellation) and continue later from
/// <see cref="Position"/> with the same result as an uninterrupted run.
/// </summary>
public sealed class Trainer
{
    private readonly RecurrentAutoencoder _model;
    private readonly DeviceDataset _train, _valid;
    private readonly TrainingOptions _options;

    /// <summary>A training loop for <paramref name="model"/> on <paramref name="train"/> (uploaded with <see cref="RecurrentAutoencoder.Upload(SequenceDataset)"/>), validated on <paramref name="valid"/> (may be empty) after every epoch.</summary>
    public Trainer(RecurrentAutoencoder model, DeviceDataset train, DeviceDataset valid, TrainingOptions options)
    {
        options.Validate();
        if (train.Count < 1) throw new ArgumentException("the training set is empty");
        if (options.TeacherForcingDropout > 0 && !model.Spec.TeacherForcing)
            throw new ArgumentException("teacher-forcing dropout needs a teacher-forced model");
        _model = model;
        _train = train;
        _valid = valid;
        _options = options;
        int full = (train.Count + options.BatchSize - 1) / options.BatchSize;
        StepsPerEpoch = options.MaxStepsPerEpoch is int max ? Math.Min(max, full) : full;
    }

    /// <summary>The next epoch and step; set it from a checkpoint to resume.</summary>
    public TrainingPosition Position { get; set; } = TrainingPosition.Start;
    /// <summary>The finished epochs' figures (add a checkpoint's history when resuming).</summary>
    public List<EpochResult> History { get; } = [];
    /// <summary>Batches an epoch: ceil(training sequences / batch size), or MaxStepsPerEpoch when smaller.</summary>
    public int StepsPerEpoch { get; }

    /// <summary>(epoch 1-based, step 1-based, steps in the epoch, running mean loss of the epoch).</summary>
    public Action<int, int, int, double>? StepCompleted { get; set; }

    /// <summary>After validation; save the checkpoint here.</summary>
    public Action<EpochResult>? EpochCompleted { get; set; }

    /// <summary>Trains to the last epoch; returns false when cancelled (at the end of a step, with <see cref="Position"/> at the next).</summary>
    public bool Run(CancellationToken cancel)
    {
        var backend = _model.Backend;
        int batchSize = Math.Min(_options.BatchSize, _train.Count);
        _model.Adam = _model.Adam with { LearningRate = _options.LearningRate };
        _model.TeacherForcingDropout = _options.TeacherForcingDropout;
        using var order = BatchOrder.Identity(backend, _train.Count);
        while (Position.Epoch < _options.Epochs)
        {
            int epoch = Position.Epoch;
            order.Set(EpochShuffle.Order(_options.Seed, epoch, _train.Count));
            var epochClock = Stopwatch.StartNew();
            double lossSum = Position.LossSum;
            int lossCount = Position.LossCount;
            int firstStep = Position.Step;
            for (int step = firstStep; step < StepsPerEpoch; step++)
            {
                int start = step * batchSize;
                int batch = Math.Min(batchSize, _train.Count - start);
                float loss = _model.TrainStep(_train, order, start, batch);
                if (!float.IsFinite(loss)) throw new TrainingDivergedException(epoch + 1, step + 1, loss);
                // Keras averages the loss over the epoch weighted by batch size.
                lossSum += (double)loss * batch;
                lossCount += batch;
                StepCompleted?.Invoke(epoch + 1, step + 1, StepsPerEpoch, lossSum / lossCount);
                if (cancel.IsCancellationRequested && step + 1 < StepsPerEpoch)
                {
                    Position = new TrainingPosition(epoch, step + 1, lossSum, lossCount);
                    return false;
                }
            }
            double trainMs = epochClock.Elapsed.TotalMilliseconds;
            double valLoss = _valid.Count > 0 ? _model.Evaluate(_valid) : double.NaN;
            var result = new EpochResult(epoch + 1, lossSum / lossCount, valLoss, epochClock.Elapsed.TotalSeconds,
                trainMs / Math.Max(1, StepsPerEpoch - firstStep));
            History.Add(result);
            Position = new TrainingPosition(epoch + 1, 0, 0, 0);
            EpochCompleted?.Invoke(result);
            if (cancel.IsCancellationRequested) return Position.Epoch >= _options.Epochs;
        }
        return true;
    }
}

using RecurrentAE.Model.Optimization;
using System.Diagnostics;
using RecurrentAE.Model.Distributed;

namespace RecurrentAE.Model.Training;

/// <summary>Why <see cref="Trainer.Run"/> returned.</summary>
public enum StopReason
{
    /// <summary>The last epoch of the cap finished.</summary>
    EpochCap,

    /// <summary>Early stopping: patience epochs without improvement.</summary>
    EarlyStopping,

    /// <summary>The time limit was spent (at the end of a step; resumable).</summary>
    TimeLimit,

    /// <summary>Cancelled, e.g. by Ctrl-C (at the end of a step; resumable).</summary>
    Cancelled,
}

/// <summary>
/// The training loop, and the one place that applies every <see cref="TrainingOptions"/> setting: shuffled mini-batches
/// from a resident data set, one (optionally clipped) Adam step each at the scheduled learning rate, validation after
/// every epoch, early stopping with the best epoch's weights, and the time limit. It reports through callbacks and can
/// stop at the end of any step (cancellation, time limit) and continue later from <see cref="Position"/>,
/// <see cref="History"/> and <see cref="BestWeights"/> with the same result as an uninterrupted run: the schedule's and
/// the monitor's state are replayed from the history.
/// </summary>
public sealed class Trainer
{
    private readonly RecurrentAutoencoder _model;
    private readonly DeviceDataset _train, _valid;
    private readonly SequenceAugmentation? _augmentation;

    /// <summary>Checks the options against the model and data (one-line <see cref="ArgumentException"/>s).</summary>
    public Trainer(RecurrentAutoencoder model, DeviceDataset train, DeviceDataset valid, TrainingOptions options)
    {
        options.Validate();
        if (train.Count < 1) throw new ArgumentException("the training set is empty");
        if (options.TeacherForcingDropout > 0 && !model.Spec.TeacherForcing)
            throw new ArgumentException("teacher-forcing dropout needs a teacher-forced model");
        if ((options.Sparsity is not null || options.L1Coding > 0) && model.Spec.Coding != CodingKind.Sparse)
            throw new ArgumentException("the sparsity penalties need a sparse model (CodingKind.Sparse)");
        _model = model;
        _train = train;
        _valid = valid;
        Options = options;
        int full = (train.Count + options.BatchSize - 1) / options.BatchSize;
        StepsPerEpoch = options.MaxStepsPerEpoch is int max ? Math.Min(max, full) : full;
        if (options.CropProbability > 0 || options.SpliceProbability > 0)
            _augmentation = new SequenceAugmentation(model.Backend, train, options.CropProbability, options.SpliceProbability, options.Seed);
    }

    /// <summary>The settings this trainer applies.</summary>
    public TrainingOptions Options { get; }

    /// <summary>The next step to take (set it to resume).</summary>
    public TrainingPosition Position { get; set; } = TrainingPosition.Start;

    /// <summary>Every finished epoch, the run's one epoch history (add a resumed run's history before <see cref="Run"/>).</summary>
    public List<EpochResult> History { get; } = [];

    /// <summary>Steps an epoch.</summary>
    public int StepsPerEpoch { get; }

    /// <summary>With early stopping: the weights after the best epoch so far (set them when resuming); else null.</summary>
    public float[]? BestWeights { get; set; }

    /// <summary>After a run that ended on the best epoch's weights: the weights training had reached (a resumable
    /// checkpoint stores them to continue from); null when the model holds them.</summary>
    public float[]? LastWeights { get; private set; }

    /// <summary>Why the last <see cref="Run"/> returned.</summary>
    public StopReason StopReason { get; private set; }

    /// <summary>The loss monitor over <see cref="History"/>: the best epoch so far and the epochs since.</summary>
    public MonitorState Monitor => LearningRateSchedules.Monitor(History, Options.MinDelta);

    /// <summary>The time spent since <see cref="Run"/> began, for the time limit: null (the default) reads a stopwatch
    /// started by Run; a test substitutes its own clock.</summary>
    public Func<TimeSpan>? Clock { get; set; }
    private Func<TimeSpan> _elapsed = () => TimeSpan.Zero;

    /// <summary>The ranks that train together, data parallel (<see cref="RecurrentAutoencoder.DataParallelTrainStep"/>):
    /// every rank runs the same trainer on the same data; rank 0's state is broadcast when <see cref="Run"/> begins, and
    /// every stop is decided together. Default: one process alone.</summary>
    public ICommunicator Communicator { get; set; } = SingleProcessCommunicator.Instance;

    /// <summary>(epoch 1-based, step 1-based, steps in the epoch, running mean loss of the epoch).</summary>
    public Action<int, int, int, double>? StepCompleted { get; set; }

    /// <summary>After validation; save the checkpoint here (<see cref="BestWeights"/> is up to date).</summary>
    public Action<EpochResult>? EpochCompleted { get; set; }

    /// <summary>Trains until the epoch cap, early stopping, the time limit or cancellation (see <see cref="StopReason"/>).
    /// Returns true when training is over (epoch cap, early stopping), false when it stopped at the end of a step and can
    /// resume from <see cref="Position"/>. With early stopping the model ends with the best epoch's weights in every case
    /// but cancellation (<see cref="LastWeights"/> then keeps the weights training reached).</summary>
    public bool Run(CancellationToken cancel)
    {
        try
        {
            return RunEpochs(cancel);
        }
        finally
        {
            _augmentation?.Restore(); // what follows training (thresholds, scores) sees the sequences as given
        }
    }

    private bool RunEpochs(CancellationToken cancel)
    {
        var o = Options;
        int batchSize = Math.Min(o.BatchSize, _train.Count);
        _model.TeacherForcingDropout = o.TeacherForcingDropout;
        _model.GradientClipNorm = o.ClipNorm;
        _model.DrawSeed = o.Seed;
        _model.InputNoise = o.InputNoise;
        _model.InputDropout = o.InputDropout;
        _model.Sparsity = o.SparsityPenalty;
        if (Communicator.Size > 1 && (o.Sparsity is not null || o.L1Coding > 0))
            throw new ArgumentException("the sparsity penalties are not data-parallel (each rank's shard would have its own mean activations): train a sparse model in one process");
        bool regularized = _model.Spec.Coding != CodingKind.State;
        LastWeights = null;
        var stopwatch = Stopwatch.StartNew();
        _elapsed = Clock ?? (() => stopwatch.Elapsed);
        using var order = BatchOrder.Identity(_model.Backend, _train.Count);
        DataParallelStart.Synchronize(Communicator, _model, this);
        while (true)
        {
            if (Position.Step == 0 && EarlyStopped()) return Finish(StopReason.EarlyStopping);
            if (Position.Epoch >= o.Epochs) return Finish(StopReason.EpochCap);
            int epoch = Position.Epoch;
            int plateau = LearningRateSchedules.PlateauReductions(o, History);
            _augmentation?.Apply(epoch); // before the order: length buckets see this epoch's lengths
            var shuffled = EpochShuffle.Order(o.Seed, epoch, _train.Count);
            bool bucketed = o.BucketByLength && _train.Lengths is not null;
            order.Set(bucketed ? EpochShuffle.Bucketed(shuffled, _train.LengthOf, batchSize, o.Seed, epoch) : shuffled);
            // Bucketed batches are each of about one length: a batch's mean over its own values would give a character of
            // a short batch several times the weight of one of a long batch, so the loss is their sum over the epoch's
            // mean values a batch instead (every value weighs the same, as in shuffled batches).
            long? lossValues = bucketed ? EpochShuffle.MeanValuesPerBatch(_train.Lengths!, batchSize) : null;
            var epochClock = Stopwatch.StartNew();
            double lossSum = Position.LossSum, reconstructionSum = Position.ReconstructionSum, regularizerSum = Position.RegularizerSum;
            int lossCount = Position.LossCount;
            int firstStep = Position.Step;
            float rate = o.LearningRate;
            for (int step = firstStep; step < StepsPerEpoch; step++)
            {
                int start = step * batchSize;
                int batch = Math.Min(batchSize, _train.Count - start);
                rate = LearningRateSchedules.Rate(o, (long)epoch * StepsPerEpoch + step, StepsPerEpoch, plateau);
                _model.Adam = _model.Adam with { LearningRate = rate };
                _model.KlFactor = o.KlFactor((long)epoch * StepsPerEpoch + step, StepsPerEpoch);
                float loss = _model.DataParallelTrainStep(_train, order, start, batch, Communicator, lossValues);
                if (!float.IsFinite(loss)) throw new TrainingDivergedException(epoch + 1, step + 1, loss);
                // Keras averages the loss over the epoch weighted by batch size.
                lossSum += (double)loss * batch;
                lossCount += batch;
                if (regularized)
                {
                    reconstructionSum += (double)_model.LastReconstruction * batch;
                    regularizerSum += (double)_model.LastRegularizer * batch;
                }
                StepCompleted?.Invoke(epoch + 1, step + 1, StepsPerEpoch, lossSum / lossCount);
                if (step + 1 < StepsPerEpoch && StopRequested(cancel) is StopReason reason)
                {
                    Position = new TrainingPosition(epoch, step + 1, lossSum, lossCount, reconstructionSum, regularizerSum);
                    return Finish(reason);
                }
            }
            double trainMs = epochClock.Elapsed.TotalMilliseconds;
            var (valReconstruction, valKl) = _valid.Count > 0 ? _model.DataParallelEvaluateTerms(_valid, Communicator) : (double.NaN, double.NaN);
            bool variational = _model.Spec.Coding == CodingKind.Variational;
            double valLoss = variational ? valReconstruction + _model.KlFactor * valKl : valReconstruction;
            var result = new EpochResult(epoch + 1, lossSum / lossCount, valLoss, epochClock.Elapsed.TotalSeconds,
                trainMs / Math.Max(1, StepsPerEpoch - firstStep), rate)
            {
                Reconstruction = regularized ? reconstructionSum / lossCount : double.NaN,
                Kl = variational ? regularizerSum / lossCount : double.NaN,
                ValReconstruction = regularized ? valReconstruction : double.NaN,
                ValKl = variational ? valKl : double.NaN,
            };
            History.Add(result);
            Position = new TrainingPosition(epoch + 1, 0, 0, 0);
            if (o.EarlyStoppingPatience is not null && Monitor.BestEpoch == result.Epoch) BestWeights = _model.GetParameters();
            EpochCompleted?.Invoke(result);
            if (StopRequested(cancel) is StopReason after && !EarlyStopped() && Position.Epoch < o.Epochs) return Finish(after);
        }
    }

    /// <summary>Early stopping's test (Keras: the wait reaches patience, never on the first epoch).</summary>
    bool EarlyStopped() =>
        Options.EarlyStoppingPatience is int patience && History.Count > 1 && Monitor.Wait >= patience;

    /// <summary>A stop that any rank requests stops every rank at the same step (one vote a step; cancellation first).</summary>
    StopReason? StopRequested(CancellationToken cancel)
    {
        Span<double> votes = [cancel.IsCancellationRequested ? 1 : 0, Options.TimeLimit is TimeSpan limit && _elapsed() >= limit ? 1 : 0];
        Communicator.AllReduceSum(votes);
        return votes[0] > 0 ? StopReason.Cancelled : votes[1] > 0 ? StopReason.TimeLimit : null;
    }

    /// <summary>Records the reason and, with early stopping (unless cancelled), ends on the best epoch's weights.</summary>
    bool Finish(StopReason reason)
    {
        StopReason = reason;
        if (reason != StopReason.Cancelled && BestWeights is not null && Options.EarlyStoppingPatience is not null
            && !(Position.Step == 0 && Monitor.BestEpoch == Position.Epoch))
        {
            LastWeights = _model.GetParameters();
            _model.SetParameters(BestWeights);
        }
        return reason is StopReason.EpochCap or StopReason.EarlyStopping;
    }
}

using System.Diagnostics;
using RecurrentAE.Model.Distributed;

namespace RecurrentAE.Model;

/// <summary>
/// Data-parallel training and evaluation (Horovod's semantics; Sergeev and Del Balso 2018): every rank holds the same
/// weights, takes its <see cref="Shard"/> of each global batch, scales its loss and gradients by 1 / the global batch's
/// values, and one all-reduce (sum) of the flat gradient buffer, with the loss in its last element, gives every rank
/// the global batch's mean gradient and loss; then each clips and steps Adam identically. N ranks thus follow one
/// process's trajectory on the same global batch up to the order of float additions.
/// </summary>
public sealed partial class RecurrentAutoencoder
{
    private float[] _reduceBuffer = [];
    private (int Offset, int GlobalBatch)? _dropoutShard;

    /// <summary>The time the last data-parallel <see cref="DataParallelTrainStep"/>
    /// spent in its all-reduce (including the wait for the slowest rank); zero with one rank.</summary>
    public TimeSpan LastAllReduceTime { get; private set; }

    /// <summary>One Adam step on the global batch order[start .. start + batch), this rank computing its
    /// <see cref="Shard"/> of it; every rank of <paramref name="communicator"/> must call it with the same arguments.
    /// Returns the global batch's mean loss (the same on every rank). With one rank it is <see cref="TrainStep"/>.
    /// <paramref name="lossValues"/>: see <see cref="TrainStep"/>.</summary>
    public float DataParallelTrainStep(DeviceDataset data, BatchOrder order, int start, int batch, ICommunicator communicator, long? lossValues = null)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        LastAllReduceTime = TimeSpan.Zero;
        if (communicator.Size == 1) return TrainStep(data, order, start, batch, lossValues);
        if (batch < 1 || batch > _maxBatch) throw new ArgumentOutOfRangeException(nameof(batch), $"batch {batch} is outside 1..{_maxBatch}");
        long values = lossValues ?? 0;
        if (lossValues is null)
            for (int b = 0; b < batch; b++) values += data.LengthOf(order.Host[start + b]);
        float scale = 1f / ((float)values * Spec.Features); // as one process scales the whole batch
        var shard = Shard.Of(batch, communicator.Rank, communicator.Size);
        float loss = 0;
        if (shard.Count > 0)
        {
            _dropoutShard = (shard.Start, batch);
            try { loss = LossAndGradients(data, order, start + shard.Start, shard.Count, scale, globalBatch: batch); }
            finally { _dropoutShard = null; }
        }
        else Backend.Fill(_gradients.All, 0f); // more ranks than rows: this rank adds nothing

        int n = ParameterCount;
        if (_reduceBuffer.Length != n + 1) _reduceBuffer = new float[n + 1];
        Backend.Download(_gradients.All, _reduceBuffer.AsSpan(0, n));
        _reduceBuffer[n] = loss;
        var clock = Stopwatch.StartNew();
        communicator.AllReduceSum(_reduceBuffer);
        LastAllReduceTime = clock.Elapsed;
        Backend.Upload(_reduceBuffer.AsSpan(0, n), _gradients.All);
        ApplyGradients();
        return _reduceBuffer[n];
    }

    /// <summary>The mean loss over every value of a data set, each rank evaluating its <see cref="Shard"/> of the items
    /// and the parts summed over the ranks (the same value on every rank); every rank must call it. With one rank it is
    /// <see cref="Evaluate"/>.</summary>
    public double DataParallelEvaluate(DeviceDataset data, ICommunicator communicator, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        return DataParallelEvaluateTerms(data, communicator, batchSize).Reconstruction;
    }

    /// <summary><see cref="DataParallelEvaluate"/> with a variational model's KL per value beside it (NaN otherwise), as
    /// <see cref="EvaluateTerms"/> gives them.</summary>
    public (double Reconstruction, double Kl) DataParallelEvaluateTerms(DeviceDataset data, ICommunicator communicator, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        if (communicator.Size == 1) return EvaluateTerms(data, batchSize);
        if (data.Count == 0) return (double.NaN, double.NaN);
        long values = 0;
        for (int i = 0; i < data.Count; i++) values += data.LengthOf(i);
        var shard = Shard.Of(data.Count, communicator.Rank, communicator.Size);
        var part = shard.Count > 0 ? EvaluateRange(data, shard.Start, shard.Count, 1f / ((float)values * data.Features), batchSize) : (0, 0);
        bool variational = Spec.Coding == CodingKind.Variational;
        Span<double> sum = [part.Reconstruction, variational ? part.Kl : 0];
        communicator.AllReduceSum(sum);
        return (sum[0], variational ? sum[1] : double.NaN);
    }

    /// <summary>Teacher-forcing dropout of a rank's shard: the global batch's mask (what one process would draw), cut to
    /// the shard's sequences, so the ranks together drop what one process drops.</summary>
    private void DrawShardMask(Span<float> scales, int rows, int batch, (int Offset, int GlobalBatch) shard)
    {
        var global = new float[rows * shard.GlobalBatch];
        DrawMask(global, DrawSeed, _adam.Step, _teacherForcingDropout);
        for (int t = 0; t < rows; t++)
            global.AsSpan(t * shard.GlobalBatch + shard.Offset, batch).CopyTo(scales.Slice(t * batch, batch));
    }
}

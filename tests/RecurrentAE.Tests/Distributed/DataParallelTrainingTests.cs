using RecurrentAE.Model.Optimization;
using RecurrentAE.Kernels;
using RecurrentAE.Model;
using RecurrentAE.Model.Distributed;
using RecurrentAE.Tests.Model;
using Xunit.Abstractions;

namespace RecurrentAE.Tests.Distributed;

/// <summary>Data-parallel training with the in-process communicator: N ranks (threads), each with its own backend and
/// its shard of every global batch, end a run on the weights and validation loss of one process with the same global
/// batch, to float summation order (2 ranks: bit for bit); rank 0's initial weights win; every rank ends bit-identical;
/// stops are agreed.</summary>
public class DataParallelTrainingTests(ITestOutputHelper output)
{
    // 17 sequences in batches of 4: five Adam steps of 4, 4, 4, 4 and 1 rows (the last leaves ranks without rows).
    const int Count = 17, Steps = 6, Features = 3, ValidCount = 7;

    /// <summary>A run's settings; <paramref name="Augmented"/>: random crops 0.8, random splices 0.9 and length-bucketed
    /// batches (the text defaults), over two epochs, so every rank must draw the same crops, splices and batch order.</summary>
    sealed record Case(bool Ragged, bool TeacherForced, float? ClipNorm, float Dropout, bool Augmented = false);

    public static TheoryData<int, bool, bool, float?, float, bool> Cases => new()
    {
        { 2, false, false, null, 0f, false },
        { 3, false, false, null, 0f, false },
        { 2, true, false, null, 0f, false },
        { 3, true, false, null, 0f, false },
        { 4, true, false, null, 0f, false },
        { 3, true, false, 0.05f, 0f, false },
        { 2, true, true, null, 0.3f, false },
        { 3, false, true, 0.05f, 0.3f, false },
        { 2, true, true, null, 0.3f, true },
        { 3, false, false, null, 0f, true },
    };

    sealed record Outcome(float[] Initial, float[] Weights, double ValLoss, double Loss, TrainingPosition Position, StopReason Reason);

    static (SequenceDataset Train, SequenceDataset Valid) Data(int seed, bool ragged)
    {
        var random = new Random(seed);
        SequenceDataset Make(int count)
        {
            int[]? lengths = ragged ? [.. Enumerable.Range(0, count).Select(_ => random.Next(1, Steps + 1))] : null;
            if (lengths is not null) lengths[0] = Steps;
            return new SequenceDataset(ModelTestData.ForHead(random, OutputHead.Sigmoid, count, Steps, Features, lengths), count, Steps, Features, lengths: lengths);
        }
        return (Make(Count), Make(ValidCount));
    }

    static Outcome Train(ICommunicator communicator, int modelSeed, Case c, (SequenceDataset Train, SequenceDataset Valid) data,
        Func<TimeSpan>? clock = null, TimeSpan? timeLimit = null)
    {
        var spec = new AutoencoderSpec(Features, [5, 4], [5], OutputHead.Sigmoid, ReverseOutput: c.Ragged, TeacherForcing: c.TeacherForced);
        var options = new TrainingOptions(Epochs: c.Augmented ? 2 : 1, BatchSize: 4, LearningRate: 1e-2f, Seed: 5, ClipNorm: c.ClipNorm,
            TeacherForcingDropout: c.Dropout, TimeLimit: timeLimit, CropProbability: c.Augmented ? 0.8f : 0f,
            SpliceProbability: c.Augmented ? 0.9f : 0f, BucketByLength: c.Augmented);
        using var backend = BackendFactory.Create("cpu", threads: 1);
        using var model = new RecurrentAutoencoder(backend, spec, modelSeed, maxBatch: 8);
        using var train = model.Upload(data.Train);
        using var valid = model.Upload(data.Valid);
        var initial = model.GetParameters();
        var trainer = new Trainer(model, train, valid, options) { Communicator = communicator, Clock = clock };
        trainer.Run(CancellationToken.None);
        var last = trainer.History.LastOrDefault();
        return new Outcome(initial, model.GetParameters(), last?.ValLoss ?? double.NaN, last?.Loss ?? double.NaN, trainer.Position, trainer.StopReason);
    }

    static double RelativeDistance(float[] a, float[] b) =>
        a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max() / b.Max(v => Math.Abs((double)v));

    [Theory]
    [MemberData(nameof(Cases))]
    public void N_ranks_end_on_the_weights_and_val_loss_of_one_process_with_the_same_global_batch(int ranks, bool ragged, bool teacherForced, float? clipNorm, float dropout, bool augmented)
    {
        int seed = ModelTestData.FreshSeed();
        var c = new Case(ragged, teacherForced, clipNorm, dropout, augmented);
        var data = Data(seed, ragged);
        var single = Train(SingleProcessCommunicator.Instance, seed, c, data);
        // Without dropout every rank but 0 starts from other weights: rank 0's broadcast must replace them. (Dropout's
        // draws hash the model's seed, which every rank of a real run takes from the same --seed.)
        var outcomes = InProcessCommunicator.Run(ranks, comm => Train(comm, comm.Rank == 0 || dropout > 0 ? seed : seed + 1000 * comm.Rank, c, data));

        double moved = RelativeDistance(single.Weights, single.Initial);
        double otherStart = RelativeDistance(outcomes[1].Initial, single.Initial);
        Assert.True(moved > 1e-3, $"seed {seed}: 5 Adam steps moved the weights by only {moved:E2}");
        if (dropout == 0) Assert.True(otherStart > 1e-2, $"seed {seed}: rank 1 started from rank 0's weights ({otherStart:E2}): the broadcast is not tested");
        double worst = RelativeDistance(outcomes[0].Weights, single.Weights);
        double valError = Math.Abs(outcomes[0].ValLoss - single.ValLoss) / single.ValLoss;
        double lossError = Math.Abs(outcomes[0].Loss - single.Loss) / single.Loss;
        output.WriteLine($"{ranks} ranks, ragged={ragged}, teacher forced={teacherForced}, clip={clipNorm}, dropout={dropout}, augmented={augmented}, seed {seed}: " +
            $"weights {worst:E2} relative (moved {moved:E2}), val_loss {outcomes[0].ValLoss:G9} vs {single.ValLoss:G9} ({valError:E2}), loss {lossError:E2}");
        Assert.True(worst < 1e-6, $"seed {seed}: the weights differ from one process's by {worst:E2} relative");
        // Two ranks sum each gradient as one process does (BatchReduction's tree splits the global batch where the shards
        // do, and a + b is one rounding): the CPU backend then gives one process's weights bit for bit.
        if (ranks == 2)
            Assert.True(single.Weights.Select(BitConverter.SingleToInt32Bits).SequenceEqual(outcomes[0].Weights.Select(BitConverter.SingleToInt32Bits)), $"seed {seed}: 2 ranks' weights are not one process's bit for bit ({worst:E2} relative)");
        Assert.True(valError < 1e-6, $"seed {seed}: val_loss {outcomes[0].ValLoss} vs {single.ValLoss}");
        Assert.True(lossError < 1e-6, $"seed {seed}: loss {outcomes[0].Loss} vs {single.Loss}");
        foreach (var o in outcomes.Skip(1))
        {
            Assert.Equal(outcomes[0].Weights, o.Weights); // the all-reduce gives every rank the same sums
            Assert.Equal(outcomes[0].ValLoss, o.ValLoss);
        }
        Assert.All(outcomes, o => Assert.Equal(single.Position, o.Position));
    }

    [Fact]
    public void Rank_0_s_weights_adam_state_position_and_best_weights_reach_every_rank()
    {
        var data = Data(11, ragged: true);
        var results = InProcessCommunicator.Run(3, comm =>
        {
            var spec = new AutoencoderSpec(Features, [5, 4], [5], OutputHead.Sigmoid, ReverseOutput: true);
            using var backend = BackendFactory.Create("cpu", threads: 1);
            using var model = new RecurrentAutoencoder(backend, spec, seed: 20 + comm.Rank, maxBatch: 8);
            using var train = model.Upload(data.Train);
            using var valid = model.Upload(data.Valid);
            var trainer = new Trainer(model, train, valid, new TrainingOptions(Epochs: 1, BatchSize: 4));
            var random = new Random(100 + comm.Rank);
            float[] Noise() => [.. Enumerable.Range(0, model.ParameterCount).Select(_ => (float)random.NextDouble())];
            // each rank resumed from something else; rank 0's state must win everywhere
            model.SetOptimizerState(new OptimizerState(3 + 7 * comm.Rank, Noise(), Noise()));
            trainer.Position = new TrainingPosition(comm.Rank, 1 + comm.Rank, 0.25 + comm.Rank, 4 * (comm.Rank + 1));
            trainer.BestWeights = comm.Rank == 0 ? Noise() : null;
            var before = (model.GetParameters(), model.GetOptimizerState(), trainer.Position, trainer.BestWeights);
            DataParallelStart.Synchronize(comm, model, trainer);
            return (Before: before, After: (model.GetParameters(), model.GetOptimizerState(), trainer.Position, trainer.BestWeights));
        });
        var root = results[0].Before;
        Assert.NotEqual(root.Item1, results[1].Before.Item1);
        foreach (var (_, (weights, adam, position, best)) in results)
        {
            Assert.Equal(root.Item1, weights);
            Assert.Equal(root.Item2.Step, adam.Step);
            Assert.Equal(root.Item2.FirstMoment, adam.FirstMoment);
            Assert.Equal(root.Item2.SecondMoment, adam.SecondMoment);
            Assert.Equal(new TrainingPosition(0, 1, 0.25, 4), position);
            Assert.Equal(root.Item4, best);
        }
    }

    [Fact]
    public void A_time_limit_reached_on_one_rank_stops_every_rank_at_the_same_step()
    {
        var c = new Case(true, false, null, 0f);
        var data = Data(3, ragged: true);
        int[] calls = new int[2];
        // rank 1's clock passes the limit at its third reading; rank 0's never does
        var outcomes = InProcessCommunicator.Run(2, comm => Train(comm, 3, c, data,
            clock: () => comm.Rank == 1 && ++calls[1] >= 3 ? TimeSpan.FromHours(1) : TimeSpan.Zero, timeLimit: TimeSpan.FromMinutes(1)));
        Assert.All(outcomes, o => Assert.Equal(StopReason.TimeLimit, o.Reason));
        Assert.All(outcomes, o => Assert.Equal(new TrainingPosition(0, 3, o.Position.LossSum, 12), o.Position));
        Assert.Equal(outcomes[0].Weights, outcomes[1].Weights);
    }

    [Fact]
    public void A_rank_that_fails_ends_the_others_instead_of_leaving_them_waiting()
    {
        var e = Assert.Throws<AggregateException>(() => InProcessCommunicator.Run(3, comm =>
        {
            if (comm.Rank == 2) throw new InvalidDataException("rank 2 cannot read its data");
            Span<float> v = [1f];
            comm.AllReduceSum(v);
            return 0;
        }));
        Assert.IsType<InvalidDataException>(e.InnerException);
    }
}

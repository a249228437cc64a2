using RecurrentAE.Kernels;
using RecurrentAE.Model;
using RecurrentAE.Model.Distributed;
using RecurrentAE.Tests.Model;
using Xunit;

namespace RecurrentAE.Tests.Distributed;

/// <summary>Denoising and variational models under data-parallel training (in-process ranks): the validation KL is the
/// one process's, every rank ends on the same weights, and a run repeats bit for bit; the sparsity penalties (a mean
/// over the batch) are refused with more than one rank.</summary>
public class RegularizedDataParallelTests
{
    const int Steps = 5, Features = 3;
    static readonly AutoencoderSpec Variational = new(Features, [6, 4], [5], Coding: CodingKind.Variational);
    static int[] Bits(float[] v) => v.Select(BitConverter.SingleToInt32Bits).ToArray();

    static SequenceDataset Data(int count, int seed) =>
        new(ModelTestData.RandomSequences(new Random(seed), count, Steps, Features), count, Steps, Features);

    [Fact]
    public void Data_parallel_validation_gives_one_process_s_reconstruction_and_kl()
    {
        var valid = Data(11, 2);
        float[] weights;
        (double Reconstruction, double Kl) single;
        using (var backend = BackendFactory.Create("cpu", threads: 1))
        using (var model = new RecurrentAutoencoder(backend, Variational, seed: 3))
        using (var device = model.Upload(valid))
        {
            weights = model.GetParameters().Select((w, i) => w + 0.05f * MathF.Sin(i)).ToArray();
            model.SetParameters(weights);
            single = model.EvaluateTerms(device);
        }
        var parts = InProcessCommunicator.Run(3, comm =>
        {
            using var backend = BackendFactory.Create("cpu", threads: 1);
            using var model = new RecurrentAutoencoder(backend, Variational, seed: 3);
            model.SetParameters(weights);
            using var device = model.Upload(valid);
            return model.DataParallelEvaluateTerms(device, comm, batchSize: 2);
        });
        Assert.True(single.Kl > 0);
        Assert.All(parts, p =>
        {
            Assert.Equal(single.Reconstruction, p.Reconstruction, 1e-6 * single.Reconstruction);
            Assert.Equal(single.Kl, p.Kl, 1e-6 * single.Kl);
        });
    }

    [Fact]
    public void Noisy_variational_ranks_agree_and_repeat()
    {
        var options = new TrainingOptions(Epochs: 2, BatchSize: 4, LearningRate: 0.01f, Seed: 7, InputNoise: 0.2f, KlWarmupEpochs: 1);
        float[][] Run() => InProcessCommunicator.Run(2, comm =>
        {
            using var backend = BackendFactory.Create("cpu", threads: 1);
            using var model = new RecurrentAutoencoder(backend, Variational, seed: 7 + comm.Rank);
            using var train = model.Upload(Data(13, 1));
            using var valid = model.Upload(Data(5, 2));
            var trainer = new Trainer(model, train, valid, options) { Communicator = comm };
            trainer.Run(CancellationToken.None);
            Assert.All(trainer.History, h => Assert.True(h.Kl > 0 && h.ValKl > 0 && double.IsFinite(h.Loss)));
            return model.GetParameters();
        });
        var first = Run();
        Assert.Equal(Bits(first[0]), Bits(first[1]));
        Assert.Equal(Bits(first[0]), Bits(Run()[0]));
    }

    [Fact]
    public void Sparsity_penalties_are_refused_with_more_than_one_rank()
    {
        var errors = InProcessCommunicator.Run(2, comm =>
        {
            using var backend = BackendFactory.Create("cpu", threads: 1);
            using var model = new RecurrentAutoencoder(backend, Variational with { Coding = CodingKind.Sparse }, seed: 7);
            using var train = model.Upload(Data(8, 1));
            using var valid = model.Upload(Data(4, 2));
            var trainer = new Trainer(model, train, valid, new TrainingOptions(Epochs: 1, BatchSize: 4, Sparsity: 0.1f)) { Communicator = comm };
            return Assert.Throws<ArgumentException>(() => trainer.Run(CancellationToken.None)).Message;
        });
        Assert.All(errors, e => Assert.Contains("not data-parallel", e));
    }
}

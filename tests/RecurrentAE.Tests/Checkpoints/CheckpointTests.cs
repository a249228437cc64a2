using RecurrentAE.Kernels.Cpu;
using RecurrentAE.Model.Optimization;

namespace RecurrentAE.Tests.Checkpoints;

public class CheckpointTests
{
    static readonly AutoencoderSpec Tiny = new(6, [8, 4], [8]);

    static int[] Bits(float[] v) => v.Select(BitConverter.SingleToInt32Bits).ToArray();

    [Fact]
    public void ModelAndTrainingStateRoundTripBitExact()
    {
        using var backend = new CpuBackend(1);
        using var model = new RecurrentAutoencoder(backend, Tiny, seed: 7);
        var rnd = new Random(1);
        var m = Enumerable.Range(0, model.ParameterCount).Select(_ => (float)rnd.NextDouble() - 0.5f).ToArray();
        var v = Enumerable.Range(0, model.ParameterCount).Select(_ => (float)rnd.NextDouble() * 1e-3f).ToArray();
        model.SetOptimizerState(new OptimizerState(17, m, v));
        var options = new TrainingOptions(Epochs: 3, BatchSize: 8, LearningRate: 2e-3f, Seed: 7, MaxStepsPerEpoch: 5);
        var position = new TrainingPosition(1, 3, 0.1 + 0.2, 3);
        var history = new List<EpochResult> { new(1, 0.6931471805599453, 0.123456789012345, 1.5, 2.25) };
        var dir = TestIdx.TempDir();
        Checkpoint.Save(Path.Combine(dir, Checkpoint.FileName), model, options, position, history);

        var c = Checkpoint.Load(dir);
        Assert.Equal(Tiny.ToJson(), c.Spec.ToJson());
        Assert.Equal(options, c.Options);
        Assert.Equal(position, c.Position);
        Assert.Equal(history, c.History);
        Assert.Equal(17, c.AdamStep);
        foreach (var p in model.Parameters)
        {
            Assert.Equal(p.Shape, c.Tensors[p.Name].Shape);
            Assert.True(c.Tensors.ContainsKey("optimizer.m." + p.Name));
            Assert.True(c.Tensors.ContainsKey("optimizer.v." + p.Name));
        }

        using var restored = new RecurrentAutoencoder(backend, c.Spec, seed: 99);
        c.ApplyTo(restored, includeOptimizer: true);
        Assert.Equal(Bits(model.GetParameters()), Bits(restored.GetParameters()));
        var s = restored.GetOptimizerState();
        Assert.Equal(17, s.Step);
        Assert.Equal(Bits(m), Bits(s.FirstMoment));
        Assert.Equal(Bits(v), Bits(s.SecondMoment));
    }

    [Fact]
    public void MissingCheckpointIsAOneLineError()
    {
        var e = Assert.Throws<DataFormatException>(() => Checkpoint.Load(TestIdx.TempDir()));
        Assert.Contains("not found", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void WrongArchitectureIsRejected()
    {
        using var backend = new CpuBackend(1);
        using var model = new RecurrentAutoencoder(backend, Tiny, seed: 7);
        var dir = TestIdx.TempDir();
        Checkpoint.Save(Path.Combine(dir, Checkpoint.FileName), model);
        using var other = new RecurrentAutoencoder(backend, new AutoencoderSpec(6, [9, 4], [8]), seed: 7);
        Assert.Throws<DataFormatException>(() => Checkpoint.Load(dir).ApplyTo(other));
    }
}

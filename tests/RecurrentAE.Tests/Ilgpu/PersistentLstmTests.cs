using RecurrentAE.Kernels.Ilgpu;
using RecurrentAE.Runner.Benchmarks;
using RecurrentAE.Tests.Contract;
using RecurrentAE.Tests.Model;
using Xunit.Abstractions;

namespace RecurrentAE.Tests.Ilgpu;

/// <summary>
/// The persistent LSTM path of <see cref="IlgpuBackend"/> (forced on ILGPU's CPU accelerator) through the whole model:
/// its gradients against the float64 reference and the cpu backend, and its kernel launches per training step.
/// </summary>
public sealed class PersistentLstmTests(ITestOutputHelper output)
{
    private static IlgpuBackend Create(IlgpuLstmPath path)
    {
        var be = (IlgpuBackend)BackendFactory.Create("ilgpu-cpu");
        be.LstmPath = path;
        be.PersistentRowsPerGroup = 2;
        return be;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Model_gradients_on_the_persistent_path_match_the_reference_and_the_cpu_backend(bool ragged)
    {
        var (seed, random) = ModelTestData.FreshRandom();
        var spec = ModelTestData.SmallSpec;
        int count = 3, steps = 5, f = spec.Features;
        var values = ModelTestData.RandomSequences(random, count, steps, f);
        int[]? lengths = ragged ? [5, 2, 4] : null;
        if (lengths != null) ModelTestData.ZeroPadding(values, steps, f, lengths);
        var data = new SequenceDataset(values, count, steps, f, lengths: lengths);

        using var backend = Create(IlgpuLstmPath.Persistent);
        using var model = new RecurrentAutoencoder(backend, spec, seed);
        var (w, loss, gradient, refLoss, refGrad) = ModelTestData.GradientsBesideReference(model, random, data);
        Assert.True(Math.Abs(loss - refLoss) / Math.Abs(refLoss) < 2e-5, $"seed {seed}: loss {loss} vs reference {refLoss}");

        using var cpu = BackendFactory.Create("cpu", 1);
        using var cpuModel = new RecurrentAutoencoder(cpu, spec, seed);
        cpuModel.SetParameters(w);
        float cpuLoss = cpuModel.ComputeGradients(data);
        var cpuGradient = cpuModel.GetGradients();
        Assert.True(Math.Abs(loss - cpuLoss) / Math.Abs(cpuLoss) < 2e-5, $"seed {seed}: loss {loss} vs cpu {cpuLoss}");

        double worstRef = ModelTestData.AssertGradientsMatch(model.Parameters, gradient, refGrad, refGrad, 1e-4, $"seed {seed}, reference");
        double worstCpu = ModelTestData.AssertGradientsMatch(model.Parameters, gradient, Array.ConvertAll(cpuGradient, v => (double)v),
            refGrad, 1e-4, $"seed {seed}, cpu");
        output.WriteLine($"persistent ragged={ragged} seed {seed}: loss {loss} (reference {refLoss}, cpu {cpuLoss}); " +
                         $"worst gradient error vs reference {worstRef:E2}, vs cpu {worstCpu:E2}");
    }

    [Fact]
    public void Backend_agreement_with_the_cpu_backend_on_the_persistent_path()
    {
        using var backend = Create(IlgpuLstmPath.Persistent);
        using var cpu = BackendFactory.Create("cpu", 1);
        var result = BackendAgreement.Compare(backend, cpu, ModelTestData.SmallSpec, batch: 3, steps: 6);
        output.WriteLine($"{result}");
        Assert.True(result.Passes(), result.ToString());
    }

    /// <summary>
    /// Kernel launches of one training step (gather, forward, loss, backward, Adam) at 28 steps with three LSTM layers
    /// (the reference model's layout: encoder 2 layers, decoder 1; sizes do not change the count, so the layers are
    /// small): per step the count grows with the steps, persistent it depends on the layers only.
    /// </summary>
    [Fact]
    public void One_training_step_launches_O_layers_kernels_on_the_persistent_path()
    {
        var spec = new AutoencoderSpec(4, [6, 3], [6]);
        const int steps = 28, batch = 2;
        var counts = new Dictionary<IlgpuLstmPath, long>();
        foreach (var path in new[] { IlgpuLstmPath.PerStep, IlgpuLstmPath.Persistent })
        {
            using var backend = Create(path);
            using var model = new RecurrentAutoencoder(backend, spec, seed: 5, maxBatch: batch);
            var random = new Random(5);
            using var data = model.Upload(new SequenceDataset(ModelTestData.RandomSequences(random, batch, steps, spec.Features), batch, steps, spec.Features));
            using var order = BatchOrder.Identity(backend, batch);
            model.TrainStep(data, order, 0, batch); // warm-up: anything done once only is not counted
            long before = backend.LaunchCount;
            float loss = model.TrainStep(data, order, 0, batch);
            counts[path] = backend.LaunchCount - before;
            Assert.True(float.IsFinite(loss));
            output.WriteLine($"{path}: {counts[path]} kernel launches for one training step (3 LSTM layers, {steps} steps, batch {batch}), loss {loss}");
        }
        // per step: 3 layers x 28 steps x (forward + backward) launches at least
        Assert.True(counts[IlgpuLstmPath.PerStep] >= 3 * 2 * steps, $"per step: {counts[IlgpuLstmPath.PerStep]}");
        Assert.True(counts[IlgpuLstmPath.Persistent] < 40, $"persistent: {counts[IlgpuLstmPath.Persistent]}");
        Assert.Equal(3 * 2 * (steps - 1), counts[IlgpuLstmPath.PerStep] - counts[IlgpuLstmPath.Persistent]);
    }

    [Fact]
    public void Persistent_layout_shrinks_rows_then_falls_back_to_per_step_when_shared_memory_is_short()
    {
        using var be = Create(IlgpuLstmPath.Persistent);
        Assert.True(be.UsesPersistentLstm(3, 7));
        Assert.StartsWith("2 group(s) of 2 row(s)", be.DescribePersistentLayout(3, 7), StringComparison.Ordinal);
        be.PersistentSharedBudgetBytes = 25 * sizeof(float);
        Assert.True(be.UsesPersistentLstm(3, 5));
        Assert.StartsWith("3 group(s) of 1 row(s)", be.DescribePersistentLayout(3, 5), StringComparison.Ordinal);
        Assert.False(be.UsesPersistentLstm(3, 7));
        be.LstmPath = IlgpuLstmPath.PerStep;
        Assert.False(be.UsesPersistentLstm(3, 5));
    }

    [Fact]
    public void Cuda_defaults_to_the_persistent_path_and_ilgpu_cpu_to_per_step()
    {
        using var cpu = (IlgpuBackend)BackendFactory.Create("ilgpu-cpu");
        output.WriteLine($"{cpu.Description}; warp {cpu.WarpSize}; persistent layout at B 32, U 100: {cpu.DescribePersistentLayout(32, 100)}");
        if (Environment.GetEnvironmentVariable("RAE_ILGPU_LSTM") is { Length: > 0 }) return; // the defaults are overridden
        Assert.Equal(IlgpuLstmPath.PerStep, cpu.LstmPath);
        if (BackendContractTests.BackendNames.Contains("cuda"))
        {
            using var cuda = (IlgpuBackend)BackendFactory.Create("cuda");
            Assert.Equal(IlgpuLstmPath.Persistent, cuda.LstmPath);
        }
    }
}

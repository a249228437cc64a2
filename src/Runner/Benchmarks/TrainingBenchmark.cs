using System.Diagnostics;
using RecurrentAE.Model.Distributed;

namespace RecurrentAE.Runner.Benchmarks;

/// <summary>
/// Times the reference model's training step on a backend: synthetic data resident on the device, a warm-up (the tiered
/// JIT needs about a second before loops run at full speed), then the median of several timed repeats. Beside it, a plain
/// large GEMM on the same backend shows what the hardware gives, measured in the same run. Under mpirun every rank takes
/// its shard of each global batch and the all-reduce's share of the step is timed beside it.
/// </summary>
internal static class TrainingBenchmark
{
    public static BenchResult Run(IComputeBackend backend, int threads, int batch, int stepsPerRepeat, int repeats,
        TimeSpan warmup, AutoencoderSpec? spec = null, int steps = 28, ICommunicator? world = null)
    {
        world ??= SingleProcessCommunicator.Instance;
        spec ??= AutoencoderSpec.Reference;
        var random = new Random(1);
        int count = batch * 4;
        var values = new float[count * steps * spec.Features];
        for (int i = 0; i < values.Length; i++) values[i] = (float)random.NextDouble();
        using var model = new RecurrentAutoencoder(backend, spec, seed: 1, maxBatch: batch);
        using var data = model.Upload(new SequenceDataset(values, count, steps, spec.Features));
        using var order = new BatchOrder(backend, EpochShuffle.Order(1, 0, count));

        int step = 0;
        var allReduce = TimeSpan.Zero;
        void OneStep()
        {
            model.DataParallelTrainStep(data, order, (step % 4) * batch, batch, world);
            allReduce += model.LastAllReduceTime;
            step++;
        }
        var clock = Stopwatch.StartNew();
        do OneStep(); while (world.Any(clock.Elapsed < warmup) || step < 3); // every rank takes the same number of steps

        var times = new List<double>();
        allReduce = TimeSpan.Zero;
        for (int r = 0; r < repeats; r++)
        {
            clock.Restart();
            for (int s = 0; s < stepsPerRepeat; s++) OneStep(); // each step reads its loss back: synchronised
            times.Add(clock.Elapsed.TotalMilliseconds / stepsPerRepeat);
        }
        times.Sort();
        double ms = times[times.Count / 2];
        double gemm = GemmGflops(backend, warmup);
        return new BenchResult(backend.Name, backend.Description, threads, batch, ms, batch * 1000 / ms,
            ModelFlops.TrainingStep(spec, steps, batch) / (ms * 1e6), gemm, times[0], times[^1], repeats, stepsPerRepeat,
            world.Size, allReduce.TotalMilliseconds / (repeats * stepsPerRepeat));
    }

    private static readonly Dictionary<IComputeBackend, double> GemmCache = [];

    /// <summary>GFLOP/s of one square GEMM large enough to run near the device's peak (cached per backend).</summary>
    public static double GemmGflops(IComputeBackend backend, TimeSpan warmup)
    {
        if (GemmCache.TryGetValue(backend, out double cached)) return cached;
        int n = backend.Name == "ilgpu-cpu" ? 64 : backend.Name == "cpu" ? 512 : 2048;
        using var a = backend.Allocate(n * n);
        using var b = backend.Allocate(n * n);
        using var c = backend.Allocate(n * n);
        var host = new float[n * n];
        var random = new Random(2);
        for (int i = 0; i < host.Length; i++) host[i] = (float)random.NextDouble();
        backend.Upload(host, a.All);
        backend.Upload(host, b.All);
        void Run() => backend.Gemm(Transpose.No, Transpose.No, n, n, n, 1f, a.All, n, b.All, n, 0f, c.All, n);
        var clock = Stopwatch.StartNew();
        int warm = 0;
        do { Run(); backend.Synchronize(); warm++; } while (clock.Elapsed < warmup / 2 || warm < 2);
        var times = new List<double>();
        for (int r = 0; r < 5; r++)
        {
            clock.Restart();
            Run();
            backend.Synchronize();
            times.Add(clock.Elapsed.TotalSeconds);
        }
        times.Sort();
        double gflops = 2.0 * n * n * n / times[2] / 1e9;
        GemmCache[backend] = gflops;
        return gflops;
    }
}

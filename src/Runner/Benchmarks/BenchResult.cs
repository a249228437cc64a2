namespace RecurrentAE.Runner.Benchmarks;

/// <summary>One benchmark row: the reference model's training step on one backend at one batch size (under mpirun: the
/// global batch split across Ranks, AllReduceMsPerStep the mean time a step spent in its all-reduce).</summary>
internal sealed record BenchResult(
    string Backend, string Device, int Threads, int Batch,
    double MsPerStep, double SamplesPerSecond, double EffectiveGflops,
    double GemmGflops, double MsPerStepMin, double MsPerStepMax, int Repeats, int StepsPerRepeat,
    int Ranks = 1, double AllReduceMsPerStep = 0);

using System.Collections.Concurrent;
using RecurrentAE.Kernels.Ilgpu;

namespace RecurrentAE.Tests.Contract;

/// <summary>One backend of each name for the whole collection (ILGPU compiles its kernels once per backend).</summary>
public sealed class BackendFixture : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<IComputeBackend>> _backends = new();

    /// <summary>The run's seed: a new one every run unless RAE_TEST_SEED is set; printed in every failure message.</summary>
    public static readonly int Seed = Environment.GetEnvironmentVariable("RAE_TEST_SEED") is { Length: > 0 } s
        ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture)
        : Random.Shared.Next();

    /// <summary>Largest relative error seen per (op, backend), written to the temp folder at the end for reports.</summary>
    public static readonly ConcurrentDictionary<string, double> MaxErrors = new();

    public IComputeBackend Get(string name) =>
        _backends.GetOrAdd(name, n => new Lazy<IComputeBackend>(() => Create(n))).Value;

    /// <summary>The ILGPU LSTM-path variants the contract tests run besides the factory's own names.</summary>
    public const string IlgpuCpuPersistent = "ilgpu-cpu-persistent", IlgpuCpuPersistentSmall = "ilgpu-cpu-persistent-small",
        IlgpuCpuNoSubGroups = "ilgpu-cpu-persistent-no-subgroups", CudaPerStep = "cuda-per-step";

    /// <summary>
    /// A factory backend, or an ILGPU variant with its LSTM path forced: "ilgpu-cpu-persistent" runs the persistent
    /// LSTM kernels on ILGPU's CPU accelerator (which defaults to per step) with 2 batch rows a group, so a batch of 3
    /// has a full and a partial group; "ilgpu-cpu-persistent-small" has too little shared memory for 2 rows (1 row a group at
    /// U = 5, the per-step fallback at U = 7); "ilgpu-cpu-persistent-no-subgroups" runs the persistent forward with the per-step
    /// backward, as an OpenCL GPU without sub-groups does; "cuda-per-step" keeps CUDA's per-step fallback checked where CUDA exists.
    /// </summary>
    public static IComputeBackend Create(string name)
    {
        switch (name)
        {
            case IlgpuCpuPersistent:
            {
                var be = (IlgpuBackend)BackendFactory.Create("ilgpu-cpu");
                be.LstmPath = IlgpuLstmPath.Persistent;
                be.PersistentRowsPerGroup = 2;
                return be;
            }
            case IlgpuCpuPersistentSmall:
            {
                // 25 shared floats a group: U = 5 runs persistent with 1 row a group (2 asked), U = 7 falls back to per step
                var be = (IlgpuBackend)BackendFactory.Create("ilgpu-cpu");
                be.LstmPath = IlgpuLstmPath.Persistent;
                be.PersistentRowsPerGroup = 2;
                be.PersistentSharedBudgetBytes = 25 * sizeof(float);
                return be;
            }
            case IlgpuCpuNoSubGroups:
            {
                // what an OpenCL GPU without sub-groups runs: the persistent forward and the per-step backward
                var be = (IlgpuBackend)BackendFactory.Create("ilgpu-cpu");
                be.LstmPath = IlgpuLstmPath.Persistent;
                be.PersistentRowsPerGroup = 2;
                be.PersistentBackwardAvailable = false;
                return be;
            }
            case CudaPerStep:
            {
                var be = (IlgpuBackend)BackendFactory.Create("cuda");
                be.LstmPath = IlgpuLstmPath.PerStep;
                return be;
            }
            default:
                return BackendFactory.Create(name);
        }
    }

    public void Dispose()
    {
        foreach (var b in _backends.Values)
            if (b.IsValueCreated) b.Value.Dispose();
        try
        {
            var lines = MaxErrors.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}\t{kv.Value:E2}");
            File.WriteAllLines(Path.Combine(Path.GetTempPath(), "rae-contract-errors.txt"), lines);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition("Backends")]
public sealed class BackendCollection : ICollectionFixture<BackendFixture>;

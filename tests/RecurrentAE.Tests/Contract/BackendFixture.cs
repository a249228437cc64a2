using Xunit;
using System.Collections.Concurrent;
using RecurrentAE.Kernels;

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
        _backends.GetOrAdd(name, n => new Lazy<IComputeBackend>(() => BackendFactory.Create(n))).Value;

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

using RecurrentAE.Kernels;
using RecurrentAE.Kernels.Cpu;

namespace RecurrentAE.Tests.Model;

/// <summary>The backends every model test runs on.</summary>
public static class TestBackends
{
    public static TheoryData<string> Names => new() { "cpu" };

    public static IComputeBackend Create(string name) => name switch
    {
        "cpu" => new CpuBackend(2),
        _ => throw new ArgumentException(name),
    };
}

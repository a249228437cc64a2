namespace RecurrentAE.Tests.Model;

/// <summary>The backends every model test runs on: the SIMD CPU backend and ILGPU's CPU accelerator (always present).</summary>
public static class TestBackends
{
    public static TheoryData<string> Names => new() { "cpu", "ilgpu-cpu" };

    public static IComputeBackend Create(string name) => BackendFactory.Create(name, threads: 2);
}

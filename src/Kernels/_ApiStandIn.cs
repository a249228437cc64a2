// TEMPORARY stand-in for the lead's BackendFactory (deleted before the final commit).
namespace RecurrentAE.Kernels;

public sealed class BackendUnavailableException(string message) : Exception(message);

public static class BackendFactory
{
    public static IComputeBackend Create(string name, int threads) => name switch
    {
        "auto" or "cpu" => new Cpu.CpuBackend(threads),
        _ => throw new BackendUnavailableException($"accelerator '{name}' is not available on this machine"),
    };

    public static IEnumerable<string> ListDevices() => ["cpu: CPU backend"];
}

using RecurrentAE.Kernels;

namespace RecurrentAE.Model;

/// <summary>The order in which sequences are batched, on the device (for the gather) and on the host (to find each
/// batch's sequence lengths without reading anything back).</summary>
public sealed class BatchOrder : IDisposable
{
    private readonly IComputeBackend _backend;

    /// <summary>Sequence indices in batch order (copied), uploaded to <paramref name="backend"/>.</summary>
    public BatchOrder(IComputeBackend backend, int[] order)
    {
        _backend = backend;
        Host = (int[])order.Clone();
        Device = backend.AllocateIndices(Math.Max(1, order.Length));
        backend.UploadIndices(Host, Device);
    }

    /// <summary>The sequences 0..count-1 in order.</summary>
    public static BatchOrder Identity(IComputeBackend backend, int count) => new(backend, Enumerable.Range(0, count).ToArray());

    /// <summary>The order on the host.</summary>
    public int[] Host { get; }
    internal DeviceIndexArray Device { get; }

    /// <summary>Replaces the order (same length), e.g. a new epoch's shuffle.</summary>
    public void Set(int[] order)
    {
        if (order.Length != Host.Length) throw new ArgumentException($"an order of {order.Length} for {Host.Length} sequences");
        order.CopyTo(Host, 0);
        _backend.UploadIndices(Host, Device);
    }

    /// <summary>Frees the device copy.</summary>
    public void Dispose() => Device.Dispose();
}

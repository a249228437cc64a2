using RecurrentAE.Kernels;

namespace RecurrentAE.Model;

/// <summary>A data set resident on the device for training and evaluation, batch-major as on the host.</summary>
public sealed class DeviceDataset : IDisposable
{
    internal DeviceDataset(IComputeBackend backend, SequenceDataset host)
    {
        Count = host.Count;
        Steps = host.Steps;
        Features = host.Features;
        Data = backend.Allocate(Math.Max(1, host.Values.Length));
        backend.Upload(host.Values, Data.Slice(0, host.Values.Length));
        Identity = backend.AllocateIndices(Math.Max(1, Count));
        backend.UploadIndices(Enumerable.Range(0, Count).ToArray(), Identity);
    }

    public int Count { get; }
    public int Steps { get; }
    public int Features { get; }
    internal DeviceArray Data { get; }

    /// <summary>0, 1, ..., Count-1: the order used to evaluate or encode every sequence.</summary>
    internal DeviceIndexArray Identity { get; }

    public void Dispose()
    {
        Data.Dispose();
        Identity.Dispose();
    }
}

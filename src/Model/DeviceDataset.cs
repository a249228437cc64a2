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
        Identity = BatchOrder.Identity(backend, Count);
        Lengths = host.IsRagged ? (int[])host.Lengths!.Clone() : null;
    }

    public int Count { get; }
    public int Steps { get; }
    public int Features { get; }
    internal DeviceArray Data { get; }

    /// <summary>0, 1, ..., Count-1: the order used to evaluate or encode every sequence.</summary>
    internal BatchOrder Identity { get; }

    /// <summary>Each sequence's own length when they differ; null when all have <see cref="Steps"/>.</summary>
    public int[]? Lengths { get; }

    public int LengthOf(int index) => Lengths?[index] ?? Steps;

    public void Dispose()
    {
        Data.Dispose();
        Identity.Dispose();
    }
}

using RecurrentAE.Kernels;

namespace RecurrentAE.Model;

/// <summary>A data set resident on the device for training and evaluation, batch-major as on the host.</summary>
public sealed class DeviceDataset : IDisposable
{
    internal DeviceDataset(IComputeBackend backend, SequenceDataset host, bool reversed = false)
    {
        Count = host.Count;
        Steps = host.Steps;
        Features = host.Features;
        // held once: the CPU backend reads the host array in place, a GPU backend keeps its own copy
        Data = host.Values.Length > 0 ? backend.Adopt(host.Values) : backend.Allocate(1);
        Identity = BatchOrder.Identity(backend, Count);
        Lengths = host.IsRagged ? (int[])host.Lengths!.Clone() : null;
        if (reversed)
        {
            // Each sequence back to front within its own length (padding stays at the end): the targets of a reversed decoder.
            var flipped = ReverseEach(host.Values, host.Count, host.Steps, host.Features, host.LengthOf);
            Reversed = flipped.Length > 0 ? backend.Adopt(flipped) : backend.Allocate(1);
        }
    }

    /// <summary>The sequences back to front within their lengths (null unless the model's output is reversed).</summary>
    internal DeviceArray? Reversed { get; }

    /// <summary>A copy of batch-major sequences with each one's first <paramref name="lengthOf"/> steps in reverse order.</summary>
    internal static float[] ReverseEach(ReadOnlySpan<float> values, int count, int steps, int features, Func<int, int> lengthOf)
    {
        var result = values.ToArray();
        for (int n = 0; n < count; n++)
        {
            int len = lengthOf(n), o = n * steps * features;
            for (int t = 0; t < len; t++)
                values.Slice(o + (len - 1 - t) * features, features).CopyTo(result.AsSpan(o + t * features, features));
        }
        return result;
    }

    /// <summary>The number of sequences.</summary>
    public int Count { get; }
    /// <summary>Steps a sequence, padding included.</summary>
    public int Steps { get; }
    /// <summary>Values a step.</summary>
    public int Features { get; }
    internal DeviceArray Data { get; }

    /// <summary>0, 1, ..., Count-1: the order used to evaluate or encode every sequence.</summary>
    internal BatchOrder Identity { get; }

    /// <summary>Each sequence's own length when they differ; null when all have <see cref="Steps"/>.</summary>
    public int[]? Lengths { get; }

    /// <summary>Sequence <paramref name="index"/>'s own length.</summary>
    public int LengthOf(int index) => Lengths?[index] ?? Steps;

    /// <summary>Bytes this data set keeps resident on the backend: its values, the reversed targets when the model
    /// decodes in reverse, and the identity order.</summary>
    public long ResidentBytes => (long)sizeof(float) * (Data.Length + (Reversed?.Length ?? 0)) + (long)sizeof(int) * Count;

    /// <summary>Frees the device memory.</summary>
    public void Dispose()
    {
        Data.Dispose();
        Reversed?.Dispose();
        Identity.Dispose();
    }
}

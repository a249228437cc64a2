using RecurrentAE.Kernels;
using RecurrentAE.Model.Data;

namespace RecurrentAE.Model;

/// <summary>
/// A data set resident on the device for training and evaluation: sequences batch-major as on the host, or the windows
/// of one long series held once (<see cref="SeriesWindows"/>), gathered per batch through <see cref="Layout"/>.
/// The targets of a reversed decoder are the same items read back to front (<see cref="TargetLayout"/>, no copy), except
/// for sequences of different lengths, each reversed within its own length: those keep one reversed copy.
/// </summary>
public sealed class DeviceDataset : IDisposable
{
    private readonly IComputeBackend _backend;
    private DeviceArray? _reversedCopy;
    private BatchOrder? _identity;

    internal DeviceDataset(IComputeBackend backend, SequenceDataset host, bool reversed = false)
    {
        _backend = backend;
        Count = host.Count;
        Steps = host.Steps;
        Features = host.Features;
        // held once: the CPU backend reads the host array in place, a GPU backend keeps its own copy
        Data = host.Values.Length > 0 ? backend.Adopt(host.Values) : backend.Allocate(1);
        Layout = GatherLayout.Sequences(Steps, Features);
        Lengths = host.IsRagged ? (int[])host.Lengths!.Clone() : null;
        WordSeparator = host.WordSeparator;
        if (!reversed) return;
        if (Lengths is null)
        {
            TargetLayout = Layout.Reversed;
            return;
        }
        // Each sequence back to front within its own length (padding stays at the end): the targets of a reversed decoder.
        var flipped = ReverseEach(host.Values, host.Count, host.Steps, host.Features, host.LengthOf);
        _reversedCopy = flipped.Length > 0 ? backend.Adopt(flipped) : backend.Allocate(1);
        TargetLayout = Layout;
    }

    /// <summary>The windows of a series segment: the segment is uploaded once; windows are gathered per batch.</summary>
    internal DeviceDataset(IComputeBackend backend, SeriesWindows windows, bool reversed = false)
    {
        _backend = backend;
        Count = windows.Count;
        Steps = windows.Window;
        Features = windows.Features;
        var segment = windows.Segment;
        Data = backend.Allocate(Math.Max(1, segment.Length));
        backend.Upload(segment, Data.Slice(0, segment.Length));
        Layout = windows.Layout;
        if (reversed) TargetLayout = Layout.Reversed;
    }

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

    /// <summary>Items in the data set (sequences or windows).</summary>
    public int Count { get; }

    /// <summary>Steps an item (padded length, or the window).</summary>
    public int Steps { get; }

    /// <summary>Values a step.</summary>
    public int Features { get; }

    /// <summary>The resident values.</summary>
    internal DeviceArray Data { get; }

    /// <summary>Where each item lies in <see cref="Data"/>.</summary>
    internal GatherLayout Layout { get; }

    /// <summary>Where a reversed decoder's targets lie (in <see cref="TargetData"/>); null when the targets are the inputs.</summary>
    internal GatherLayout? TargetLayout { get; private set; }

    /// <summary>The buffer <see cref="TargetLayout"/> reads: the reversed copy, or the data itself.</summary>
    internal DeviceArray TargetData => _reversedCopy ?? Data;

    /// <summary>0, 1, ..., Count-1: the order used to evaluate or encode every item (made on first use).</summary>
    internal BatchOrder Identity => _identity ??= BatchOrder.Identity(_backend, Count);

    /// <summary>Each sequence's own length when they differ; null when all have <see cref="Steps"/>.</summary>
    public int[]? Lengths { get; private set; }

    /// <summary>The number of unpadded steps of item <paramref name="index"/>.</summary>
    public int LengthOf(int index) => Lengths?[index] ?? Steps;

    /// <summary>Bytes this data set keeps resident on the backend: its values (a series once, however many windows),
    /// the reversed targets of ragged sequences when the model decodes in reverse, and the identity order.</summary>
    public long ResidentBytes => (long)sizeof(float) * (Data.Length + (_reversedCopy?.Length ?? 0)) + (long)sizeof(int) * Count;

    /// <summary>For sequence crops (<see cref="Training.SequenceCrops"/>): gives an equal-length data set a length per
    /// item, so its items can be shortened. A reversed decoder of equal-length items reads its targets back to front over
    /// the full length; shortened items need each reversed within its own length, so such a set gets the one reversed
    /// copy that ragged sets keep.</summary>
    internal void MakeRagged()
    {
        if (Lengths is not null) return;
        if (Layout != GatherLayout.Sequences(Steps, Features))
            throw new ArgumentException("random crops need a set of sequences, not the windows of a series");
        Lengths = Enumerable.Repeat(Steps, Count).ToArray();
        if (TargetLayout is null) return;
        var values = new float[Count * Steps * Features];
        if (values.Length > 0) _backend.Download(Data.Slice(0, values.Length), values);
        var flipped = ReverseEach(values, Count, Steps, Features, LengthOf);
        _reversedCopy = flipped.Length > 0 ? _backend.Adopt(flipped) : _backend.Allocate(1);
        TargetLayout = Layout;
    }

    /// <summary>Replaces the values (batch-major, <see cref="Steps"/> x <see cref="Features"/> each) and lengths (copied
    /// into <see cref="Lengths"/>) of the items from <paramref name="first"/> on, one per length, and the reversed targets
    /// made from them; only for ragged sequence sets.</summary>
    internal void Rewrite(int first, ReadOnlySpan<float> values, ReadOnlySpan<int> lengths)
    {
        int itemSize = Steps * Features;
        if (Lengths is null || first < 0 || first + lengths.Length > Count || values.Length != (long)lengths.Length * itemSize)
            throw new InvalidOperationException("only a ragged sequence set can be rewritten, with values and lengths of its shape");
        lengths.CopyTo(Lengths.AsSpan(first));
        if (values.Length == 0) return;
        _backend.Upload(values, Data.Slice(first * itemSize, values.Length));
        if (_reversedCopy is null) return;
        var flipped = ReverseEach(values, lengths.Length, Steps, Features, i => Lengths[first + i]);
        _backend.Upload(flipped, _reversedCopy.Slice(first * itemSize, flipped.Length));
    }

    /// <summary>The host set's <see cref="SequenceDataset.WordSeparator"/> (text: the space symbol), or null.</summary>
    public int? WordSeparator { get; }

    /// <summary>Frees the device memory.</summary>
    public void Dispose()
    {
        Data.Dispose();
        _reversedCopy?.Dispose();
        _identity?.Dispose();
    }
}

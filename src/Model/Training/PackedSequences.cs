using RecurrentAE.Kernels;

namespace RecurrentAE.Model.Training;

/// <summary>
/// A copy of a device data set's sequences kept on the host, as small as the values allow: one symbol index a step
/// when every step is a one-hot row or all zeros (text: 2 bytes a step instead of 4 x the vocabulary, 83 symbols: 166x
/// smaller), else the floats. Read from the device a chunk at a time, so keeping it never holds a second full float
/// copy.
/// </summary>
internal sealed class PackedSequences
{
    /// <summary>The symbol of a step whose values are all zero (padding past a sequence's end).</summary>
    private const ushort Blank = ushort.MaxValue;

    private readonly ushort[]? _symbols;
    private readonly float[]? _values;
    private readonly int _steps, _features;

    /// <summary>Items per chunk when a set is read or written a chunk at a time: about 4 M floats (16 MB), at least one item.</summary>
    public static int ChunkItems(int steps, int features) => Math.Max(1, (1 << 22) / Math.Max(1, steps * features));

    /// <summary>Reads the <paramref name="count"/> items of <paramref name="data"/> (batch-major, steps x features each),
    /// <paramref name="chunk"/> items at a time.</summary>
    public PackedSequences(IComputeBackend backend, DeviceArray data, int count, int steps, int features, int chunk)
    {
        _steps = steps;
        _features = features;
        int itemSize = steps * features;
        var buffer = new float[Math.Min(count, chunk) * itemSize];
        // One read, keeping a symbol a step until a row is not one-hot; then the floats instead.
        var symbols = features < Blank ? new ushort[(long)count * steps] : null;
        for (int first = 0; first < count && symbols is not null; first += chunk)
        {
            var values = Read(backend, data, first, Math.Min(chunk, count - first), itemSize, buffer);
            for (int r = 0; r < values.Length / features; r++)
            {
                if (SymbolOf(values.Slice(r * features, features)) is not ushort symbol) { symbols = null; break; }
                symbols[(long)first * steps + r] = symbol;
            }
        }
        _symbols = symbols;
        if (symbols is not null) return;
        _values = new float[(long)count * itemSize];
        if (_values.Length > 0) backend.Download(data.Slice(0, _values.Length), _values);
    }

    /// <summary>Whether the values are held as one symbol a step.</summary>
    public bool IsCompact => _symbols is not null;

    /// <summary>Writes steps [<paramref name="start"/>, start + <paramref name="length"/>) of <paramref name="item"/> to
    /// the start of <paramref name="destination"/>, which must hold zeros.</summary>
    public void CopySteps(int item, int start, int length, Span<float> destination)
    {
        long at = (long)item * _steps + start;
        if (_values is not null)
        {
            _values.AsSpan(checked((int)(at * _features)), length * _features).CopyTo(destination);
            return;
        }
        for (int t = 0; t < length; t++)
            if (_symbols![at + t] is var s && s != Blank) destination[t * _features + s] = 1f;
    }

    private static Span<float> Read(IComputeBackend backend, DeviceArray data, int first, int items, int itemSize, float[] buffer)
    {
        var span = buffer.AsSpan(0, items * itemSize);
        if (span.Length > 0) backend.Download(data.Slice(first * itemSize, span.Length), span);
        return span;
    }

    /// <summary>The one-hot row's symbol (<see cref="Blank"/> for all zeros), or null when the row is not all zeros but
    /// at most one exact 1.</summary>
    private static ushort? SymbolOf(ReadOnlySpan<float> row)
    {
        int symbol = -1;
        for (int i = 0; i < row.Length; i++)
        {
            if (row[i] == 1f && symbol < 0) symbol = i;
            else if (row[i] != 0f || float.IsNegative(row[i])) return null; // a second 1, another value, or -0 (lost in the round trip)
        }
        return symbol < 0 ? Blank : (ushort)symbol;
    }
}

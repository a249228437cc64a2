using RecurrentAE.Kernels;

namespace RecurrentAE.Model.Data;

/// <summary>
/// The windows of <see cref="Window"/> rows cut every <see cref="Stride"/> rows from a segment of a long series
/// (<see cref="Rows"/> rows of <see cref="Values"/>, row-major, from <see cref="FirstRow"/>), never materialised: window i
/// starts at row min(i * Stride, Rows - Window) of the segment, so the last window ends at the segment's last row (the
/// ragged end is covered) and no window crosses the segment's ends.
/// </summary>
public sealed class SeriesWindows
{
    /// <summary>Windows over rows [firstRow, firstRow + rows) of <paramref name="values"/> (row-major, <paramref name="features"/> a row).</summary>
    public SeriesWindows(float[] values, int features, int firstRow, int rows, int window, int stride)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (features < 1) throw new ArgumentOutOfRangeException(nameof(features), "a series needs at least one feature");
        if (window < 1) throw new ArgumentOutOfRangeException(nameof(window), $"the window must be at least 1 row, not {window}");
        if (stride < 1) throw new ArgumentOutOfRangeException(nameof(stride), $"the stride must be at least 1 row, not {stride}");
        if (firstRow < 0 || rows < 0 || ((long)firstRow + rows) * features > values.Length)
            throw new ArgumentOutOfRangeException(nameof(rows), $"rows [{firstRow}, {firstRow + rows}) are outside a series of {values.Length / features}");
        Values = values;
        Features = features;
        FirstRow = firstRow;
        Rows = rows;
        Window = window;
        Stride = stride;
    }

    /// <summary>The whole series, row-major.</summary>
    public float[] Values { get; }

    /// <summary>Values a row.</summary>
    public int Features { get; }

    /// <summary>The segment's first row in <see cref="Values"/>.</summary>
    public int FirstRow { get; }

    /// <summary>Rows in the segment.</summary>
    public int Rows { get; }

    /// <summary>Rows a window.</summary>
    public int Window { get; }

    /// <summary>Rows between the starts of consecutive windows (the last one excepted).</summary>
    public int Stride { get; }

    /// <summary>The number of windows: 0 when the segment is shorter than a window.</summary>
    public int Count => CountOf(Rows, Window, Stride);

    /// <summary>Windows of <paramref name="window"/> rows every <paramref name="stride"/> rows in <paramref name="rows"/> rows, the end-aligned last one included.</summary>
    public static int CountOf(int rows, int window, int stride) =>
        rows < window ? 0 : (int)(((long)rows - window + stride - 1) / stride + 1);

    /// <summary>The first row of window <paramref name="index"/>, relative to the segment.</summary>
    public int StartOf(int index) => (int)Math.Min((long)index * Stride, Rows - Window);

    /// <summary>The segment's values, row-major.</summary>
    public ReadOnlySpan<float> Segment => Values.AsSpan(FirstRow * Features, Rows * Features);

    /// <summary>How the windows lie in <see cref="Segment"/> for the gather.</summary>
    public GatherLayout Layout => GatherLayout.Windows(Rows, Features, Window, Stride);

    /// <summary>The same segment cut with another stride.</summary>
    public SeriesWindows WithStride(int stride) => new(Values, Features, FirstRow, Rows, Window, stride);
}

namespace RecurrentAE.Model.Analysis;

/// <summary>
/// A score per row of a long series from the per-step errors of the windows that cover it: the raw score of a row is the
/// mean, over the windows covering it, of their reconstruction error at that row; the point score is the centred moving
/// average of the raw scores over <c>smoothing</c> rows (fewer at the ends, where the average is over the rows there are).
/// Smoothing keeps a single badly reconstructed step from flagging a point while a sustained error does.
/// </summary>
public sealed class PointScores
{
    private readonly double[] _sum;
    private readonly int[] _count;

    /// <summary>An accumulator for a series of <paramref name="rows"/> rows.</summary>
    public PointScores(int rows)
    {
        _sum = new double[rows];
        _count = new int[rows];
    }

    /// <summary>Rows in the series.</summary>
    public int Rows => _sum.Length;

    /// <summary>Adds one window's per-step errors; the window starts at row <paramref name="firstRow"/>.</summary>
    public void Add(int firstRow, ReadOnlySpan<float> stepErrors)
    {
        if (firstRow < 0 || firstRow + stepErrors.Length > Rows)
            throw new ArgumentOutOfRangeException(nameof(firstRow), $"a window of {stepErrors.Length} at row {firstRow} is outside {Rows} rows");
        for (int t = 0; t < stepErrors.Length; t++)
        {
            _sum[firstRow + t] += stepErrors[t];
            _count[firstRow + t]++;
        }
    }

    /// <summary>The mean error over the covering windows of each row (NaN for a row no window covers).</summary>
    public double[] Raw()
    {
        var raw = new double[Rows];
        for (int r = 0; r < Rows; r++) raw[r] = _count[r] > 0 ? _sum[r] / _count[r] : double.NaN;
        return raw;
    }

    /// <summary>The point scores: <see cref="Raw"/> smoothed by <see cref="MovingAverage"/> over <paramref name="smoothing"/> rows.</summary>
    public double[] Scores(int smoothing) => MovingAverage(Raw(), smoothing);

    /// <summary>The centred moving average over <paramref name="width"/> rows: row r averages rows
    /// [r - (width - 1) / 2, r + width / 2] that exist (width 1: unchanged).</summary>
    public static double[] MovingAverage(IReadOnlyList<double> values, int width)
    {
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), "the smoothing width must be at least 1");
        var prefix = new double[values.Count + 1];
        for (int i = 0; i < values.Count; i++) prefix[i + 1] = prefix[i] + values[i];
        return SequenceScore.CentredMeans(prefix, width);
    }
}

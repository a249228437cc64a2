namespace RecurrentAE.Model.Data;

/// <summary>
/// The defaults of <c>--series</c>, chosen by measurement on NAB and synthetic series (docs/series.md): the window is the
/// series' dominant period (<see cref="Analysis.DominantPeriod"/>; <see cref="FallbackWindow"/> when it has none) clamped to
/// [<see cref="MinWindow"/>, <see cref="MaxWindow"/>] and to a quarter of the training rows; the training stride gives
/// about <see cref="TargetWindows"/> training windows, at least 1 row and at most a quarter window; point scores use windows
/// every eighth of a window and smooth over an eighth of a window; events closer than a window merge.
/// </summary>
public static class SeriesDefaults
{
    /// <summary>The shortest default window.</summary>
    public const int MinWindow = 16;

    /// <summary>The longest default window (the cost of a step grows with it).</summary>
    public const int MaxWindow = 256;

    /// <summary>The window of a series with no dominant period.</summary>
    public const int FallbackWindow = 64;

    /// <summary>The number of training windows the default stride aims at.</summary>
    public const int TargetWindows = 4_096;

    /// <summary>The most validation windows evaluated after an epoch (spread evenly over the validation part).</summary>
    public const int MaxValidWindows = 2_048;

    /// <summary>The percentile of the training rows' point scores above which a row is flagged: on five NAB series with
    /// known failures, 98 flagged 14 of 15 labelled windows with 1.4-3.6% of the rows outside them flagged; 99 flagged fewer
    /// windows (8 of 12 on four of them) for 0.5-2.3% outside (docs/series.md).</summary>
    public const double ThresholdPercentile = 98;

    /// <summary>The training rows, counted back from the split, whose point scores set the threshold.</summary>
    public const int ThresholdRows = 50_000;

    /// <summary>The default window for <paramref name="trainRows"/> training rows with the given period (rows).</summary>
    public static int Window(int? period, int trainRows) =>
        Math.Max(2, Math.Min(Math.Clamp(period ?? FallbackWindow, MinWindow, MaxWindow), trainRows / 4));

    /// <summary>The default training stride.</summary>
    public static int Stride(int trainRows, int window) =>
        Math.Clamp((trainRows - window) / TargetWindows, 1, Math.Max(1, window / 4));

    /// <summary>The stride of the windows that score points: every point is covered by about eight windows.</summary>
    public static int ScoreStride(int window) => Math.Max(1, window / 8);

    /// <summary>The width (rows) of the moving average of the raw point scores.</summary>
    public static int Smoothing(int window) => Math.Max(1, window / 8);

    /// <summary>Events separated by fewer unflagged rows than this merge.</summary>
    public static int EventGap(int window) => window;

    /// <summary>The stride of the validation windows: the training stride, or wider so that at most <see cref="MaxValidWindows"/> are evaluated.</summary>
    public static int ValidStride(int validRows, int window, int stride) =>
        Math.Max(stride, (int)Math.Ceiling(Math.Max(0, validRows - window) / (double)(MaxValidWindows - 1)));
}

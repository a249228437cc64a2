using RecurrentAE.Kernels.Cpu;
using RecurrentAE.Model.Analysis;

namespace RecurrentAE.Tests.LongSeries;

/// <summary>Windows of one series: counts, starts, the end-aligned last window, multivariate rows, resident once.</summary>
public class WindowingTests
{
    [Theory]
    [InlineData(17, 5, 3, new[] { 0, 3, 6, 9, 12 })]      // (17 - 5) / 3 = 4 exactly: no extra window
    [InlineData(18, 5, 3, new[] { 0, 3, 6, 9, 12, 13 })]  // the ragged end: the last window ends at row 17
    [InlineData(5, 5, 2, new[] { 0 })]                    // exactly one window
    [InlineData(8, 3, 1, new[] { 0, 1, 2, 3, 4, 5 })]     // stride 1: every start
    [InlineData(4, 5, 1, new int[0])]                    // shorter than a window: none
    public void Starts_every_stride_and_the_last_window_ends_at_the_last_row(int rows, int window, int stride, int[] starts)
    {
        var w = new SeriesWindows(new float[rows], 1, 0, rows, window, stride);
        Assert.Equal(starts.Length, w.Count);
        Assert.Equal(starts, Enumerable.Range(0, w.Count).Select(w.StartOf).ToArray());
        if (w.Count > 0) Assert.Equal(rows, w.StartOf(w.Count - 1) + window);
    }

    /// <summary>Each window gathered on the device (cpu and ilgpu-cpu) is rows [start, start + window) of the segment, all
    /// features of a row together; the segment is uploaded once (rows x features floats, not windows x window).</summary>
    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void Multivariate_windows_of_a_segment_gather_its_rows(string backendName)
    {
        int rows = 23, features = 3, window = 6, stride = 4, first = 2, segmentRows = 19;
        var values = Enumerable.Range(0, rows * features).Select(i => (float)i).ToArray();
        var windows = new SeriesWindows(values, features, first, segmentRows, window, stride);
        Assert.Equal([0, 4, 8, 12, 13], Enumerable.Range(0, windows.Count).Select(windows.StartOf).ToArray());
        using var backend = BackendFactory.Create(backendName, 1);
        using var model = new RecurrentAutoencoder(backend, new AutoencoderSpec(features, [4, 2], [4], OutputHead.Linear), 1);
        using var data = model.Upload(windows);
        Assert.Equal(segmentRows * features, data.Data.Length);
        Assert.Equal(windows.Count, data.Count);
        using var x = backend.Allocate(window * data.Count * features);
        backend.GatherSequences(data.Data.All, data.Layout, data.Identity.Device, 0, data.Count, x.All);
        var got = new float[x.Length];
        backend.Download(x.All, got);
        for (int t = 0; t < window; t++)
            for (int b = 0; b < data.Count; b++)
                for (int f = 0; f < features; f++)
                    Assert.Equal(((first + windows.StartOf(b) + t) * features + f), got[(t * data.Count + b) * features + f]);
    }

    [Fact]
    public void Default_window_stride_and_scoring_follow_the_stated_rules()
    {
        Assert.Equal(24, SeriesDefaults.Window(24, 10_000));
        Assert.Equal(SeriesDefaults.MaxWindow, SeriesDefaults.Window(2_000, 100_000));
        Assert.Equal(SeriesDefaults.MinWindow, SeriesDefaults.Window(3, 10_000));
        Assert.Equal(SeriesDefaults.FallbackWindow, SeriesDefaults.Window(null, 10_000));
        Assert.Equal(25, SeriesDefaults.Window(null, 100));                    // a quarter of the training rows
        Assert.Equal(1, SeriesDefaults.Stride(2_000, 64));                      // few rows: every start
        Assert.Equal(4, SeriesDefaults.Stride(20_000 + 64, 64));                // about 4,096 windows (20,000 / 4,096 rounded down)
        Assert.Equal(16, SeriesDefaults.Stride(10_000_000, 64));                // at most a quarter window
        Assert.Equal(8, SeriesDefaults.ScoreStride(64));
        Assert.Equal(3, SeriesDefaults.ValidStride(2_047 * 3 + 64, 64, 1));     // at most 2,048 validation windows
        Assert.Equal(SeriesDefaults.MaxValidWindows, SeriesWindows.CountOf(2_047 * 3 + 64, 64, 3));
    }

    [Fact]
    public void Dominant_period_of_a_sine_is_its_period()
    {
        int rows = 2_000, period = 24;
        var rnd = new Random(3);
        var v = new float[rows * 2];
        for (int r = 0; r < rows; r++)
        {
            v[2 * r] = (float)(Math.Sin(2 * Math.PI * r / period) + 0.1 * rnd.NextDouble());
            v[2 * r + 1] = (float)(5 + Math.Cos(2 * Math.PI * r / period));
        }
        Assert.Equal(period, DominantPeriod.Estimate(v, rows, 2));
        // sin(24) + 0.5 sin(168): the autocorrelation peaks at 168 (1.0) and first at 24 (0.925, over 0.8 of it): 24
        var week = Enumerable.Range(0, rows).Select(r => (float)(Math.Sin(2 * Math.PI * r / 24) + 0.5 * Math.Sin(2 * Math.PI * r / 168))).ToArray();
        var acf = DominantPeriod.Autocorrelation(week, rows, 1, 200);
        Assert.True(acf[168] > acf[24] && acf[24] > 0.8 * acf[168]);
        Assert.Equal(24, DominantPeriod.Estimate(week, rows, 1));
        var trend = Enumerable.Range(0, rows).Select(r => (float)r).ToArray();
        Assert.Null(DominantPeriod.Estimate(trend, rows, 1)); // never crosses zero: no period
    }
}

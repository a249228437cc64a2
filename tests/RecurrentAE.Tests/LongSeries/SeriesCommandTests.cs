using System.Globalization;
using System.Text;
using RecurrentAE.Runner;
using SkiaSharp;
using static RecurrentAE.Tests.Runner.CliTests;

namespace RecurrentAE.Tests.LongSeries;

/// <summary>rae train --series then rae score --series on tiny generated series, in-process, with tiny models.</summary>
public class SeriesCommandTests
{
    static readonly string[] Tiny = ["--encoder", "6,3", "--decoder", "6", "--batch-size", "8", "--lr", "0.01", "--accelerator", "cpu", "--threads", "1"];
    static readonly DateTime Start = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>A sine of period 20 (two columns, the second its cosine) every 5 minutes, with a burst at rows 200-209.</summary>
    static string SeriesFile(int rows = 260, bool timestamps = true, Func<int, string>? cell = null)
    {
        var sb = new StringBuilder(timestamps ? "timestamp,a,b\n" : "a,b\n");
        for (int r = 0; r < rows; r++)
        {
            double a = Math.Sin(2 * Math.PI * r / 20) + (r is >= 200 and < 210 ? 3 * ((r % 2) * 2 - 1) : 0);
            double b = Math.Cos(2 * Math.PI * r / 20);
            if (timestamps) sb.Append(Start.AddMinutes(5 * r).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).Append(',');
            sb.Append(cell?.Invoke(r) ?? a.ToString("R", CultureInfo.InvariantCulture)).Append(',').Append(b.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }
        var path = Path.Combine(TestIdx.TempDir(), "series.csv");
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    static int[] Bits(float[] v) => v.Select(BitConverter.SingleToInt32Bits).ToArray();

    [Fact]
    public void Train_then_score_writes_a_row_per_input_row_events_and_a_plot()
    {
        var csv = SeriesFile();
        var run = TestIdx.TempDir();
        var t = Rae(["train", "--series", csv, "--epochs", "2", "--out", run, .. Tiny]);
        Assert.True(t.Code == 0, t.Err);
        // the default window is the period (20); 234 training rows (the last 26 validate) give stride 1 and 215 windows
        Assert.Contains("260 rows x 2 columns (a, b; time 'timestamp')", t.Out);
        Assert.Contains("windows of 20 rows (period 20 by autocorrelation) every 1: 215 training / 7 validation windows (the last 26 rows)", t.Out);
        var checkpoint = Checkpoint.Load(run);
        Assert.Equal(new SeriesInfo(20, 1, 2, 2, 20, ["a", "b"], "timestamp"), checkpoint.Data.Series);
        Assert.Equal(2, checkpoint.Data.Mean!.Length);
        double threshold = checkpoint.Data.Threshold!.Value;

        var scoresPath = Path.Combine(run, "out", "scores.csv");
        var s = Rae("score", "--model", run, "--series", csv, "--out", scoresPath, "--accelerator", "cpu", "--threads", "1");
        Assert.True(s.Code == 0, s.Err);
        var lines = File.ReadAllLines(scoresPath);
        Assert.Equal(261, lines.Length);
        Assert.Equal("timestamp,score,anomaly", lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToArray();
        for (int r = 0; r < rows.Length; r++)
        {
            Assert.Equal(Start.AddMinutes(5 * r).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), rows[r][0]);
            double score = double.Parse(rows[r][1], CultureInfo.InvariantCulture);
            Assert.True(double.IsFinite(score) && score >= 0);
            Assert.Equal(score > threshold ? "1" : "0", rows[r][2]);
        }
        var flagged = rows.Select(r => r[2] == "1").ToArray();
        var events = File.ReadAllLines(Path.Combine(run, "out", "events.csv"));
        Assert.Equal("start,end,peak,peak_score", events[0]);
        foreach (var e in events.Skip(1).Select(l => l.Split(',')))
        {
            int first = Array.FindIndex(rows, r => r[0] == e[0]), last = Array.FindIndex(rows, r => r[0] == e[1]);
            Assert.True(flagged[first] && flagged[last] && first <= last);
        }
        Assert.Equal(flagged.Any(), events.Length > 1);
        using var png = SKBitmap.Decode(Path.Combine(run, "out", "scores.png"));
        Assert.Equal(1200, png.Width);
        Assert.Contains($"{flagged.Count(f => f)} of 260 rows flagged", s.Out);

        // without --series, score reads the file the model was trained on; a file without the model's time column is an error
        var again = Rae("score", "--model", run, "--out", Path.Combine(run, "again.csv"), "--accelerator", "cpu", "--threads", "1");
        Assert.True(again.Code == 0, again.Err);
        Assert.Equal(File.ReadAllLines(scoresPath), File.ReadAllLines(Path.Combine(run, "again.csv")));
        AssertUsageError(Rae("score", "--model", run, "--series", SeriesFile(timestamps: false), "--accelerator", "cpu"), "no column 'timestamp'");
    }

    [Fact]
    public void Resume_with_series_is_bit_exact()
    {
        var csv = SeriesFile(rows: 120);
        string full = TestIdx.TempDir(), cut = TestIdx.TempDir();
        string[] common = ["train", "--series", csv, "--window", "12", "--stride", "3", "--epochs", "2", .. Tiny];
        var r = Rae([.. common, "--out", full]);
        Assert.True(r.Code == 0, r.Err);
        using (var cancelled = new CancellationTokenSource())
        {
            cancelled.Cancel(); // Ctrl-C during the first step
            var i = Rae(cancelled.Token, [.. common, "--out", cut]);
            Assert.True(i.Code == RaeApp.Interrupted, i.Err);
        }
        AssertUsageError(Rae("train", "--resume", cut, "--window", "10", "--accelerator", "cpu"), "--window cannot change when resuming");
        var resumed = Rae("train", "--resume", cut, "--accelerator", "cpu", "--threads", "1");
        Assert.True(resumed.Code == 0, resumed.Err);
        var a = Checkpoint.Load(full);
        var b = Checkpoint.Load(cut);
        foreach (var (name, tensor) in a.Tensors) Assert.Equal(Bits(tensor.Data), Bits(b.Tensors[name].Data));
        Assert.Equal(a.Data, b.Data);
        Assert.Equal(a.History.Select(h => (h.Loss, h.ValLoss)), b.History.Select(h => (h.Loss, h.ValLoss)));
    }

    [Fact]
    public void Bad_series_input_is_one_line_naming_the_line()
    {
        var run = TestIdx.TempDir();
        AssertUsageError(Rae(["train", "--series", SeriesFile(rows: 30), "--window", "40", "--out", run, .. Tiny]), "30 rows, shorter than one window of 40 rows");
        AssertUsageError(Rae(["train", "--series", SeriesFile(cell: r => r == 7 ? "x7" : "1"), "--out", run, .. Tiny]), "line 9, column 'a': 'x7' is not a finite number");
        AssertUsageError(Rae(["train", "--series", "/nonexistent/s.csv", "--out", run, .. Tiny]), "no such file");
        AssertUsageError(Rae(["train", "--window", "8", "--out", run, .. Tiny]), "--window applies to --series only");
        AssertUsageError(Rae(["train", "--series", SeriesFile(), "--csv", SeriesFile(), "--out", run, .. Tiny]), "give one data source");
        AssertUsageError(Rae(["train", "--series", SeriesFile(), "--loss", "bce", "--out", run, .. Tiny]), "--series trains with --loss mse");
    }
}

using System.Text;
using RecurrentAE.Model.Analysis;
using RecurrentAE.Model.IO;
using RecurrentAE.Runner.DataSources;
using RecurrentAE.Rendering;

namespace RecurrentAE.Runner.Commands;

/// <summary>
/// <c>rae score --series FILE</c>: a score per row of the series (<see cref="PointScores"/>: the mean over the windows that
/// cover it, every eighth of a window, of their error at that row, smoothed), flagged above the threshold stored at
/// training (a percentile of the training rows' scores). Writes scores.csv (<c>timestamp,score,anomaly</c>, or
/// <c>index,...</c> without a time column), events.csv beside it (each run of flagged rows, runs closer than a window
/// merged) and a PNG of the series over its score with the events shaded.
/// </summary>
internal static class SeriesScoreRun
{
    /// <summary>The events file written beside the scores.</summary>
    public const string EventsFileName = "events.csv";

    public static int Run(RaeContext ctx, Checkpoint checkpoint, DataSource source, string path, string accelerator, int threads)
    {
        var info = checkpoint.Data;
        var series = info.Series ?? throw new UsageException($"--series needs a model trained with --series ({checkpoint.Path} was trained on {info.Kind} data)");
        var threshold = info.Threshold
            ?? throw new UsageException($"{checkpoint.Path} holds no anomaly threshold (training did not finish; complete it with 'rae train --resume {Path.GetDirectoryName(checkpoint.Path)}')");
        var table = SeriesData.ReadForModel(source, info);
        var windows = new SeriesWindows(table.Values, table.Features, 0, table.Rows, series.Window, series.ScoreStride);

        double[] scores;
        using (var backend = CommonOptions.CreateBackend(accelerator, threads))
        using (var model = checkpoint.CreateModel(backend))
            scores = SeriesScoring.Score(model, windows, series.Smoothing);

        var flags = scores.Select(s => s > threshold).ToArray();
        var events = AnomalyEvents.From(flags, scores, series.EventGap);
        string eventsPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, EventsFileName);
        string plotPath = Path.ChangeExtension(path, ".png");
        WriteScores(path, table, scores, flags);
        AtomicFile.WriteAllText(eventsPath, EventsCsv(table, events));
        if (info.Standardizer is { } scaler) Unstandardise(table.Values, scaler);
        SeriesScorePlot.Write(table, scores, threshold, events, plotPath);

        int flagged = flags.Count(f => f);
        ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Scored {SeriesData.Describe(table)}: windows of {series.Window} rows every {series.ScoreStride}, scores smoothed over {series.Smoothing} rows; " +
            $"threshold {threshold:G6} ({SeriesDefaults.ThresholdPercentile}th percentile of the training rows' scores); {flagged:N0} of {table.Rows:N0} rows flagged ({100.0 * flagged / table.Rows:F2}%) in {events.Count} event{(events.Count == 1 ? "" : "s")}"));
        ctx.Out.WriteLine($"Wrote {path}, {eventsPath} and {plotPath}");
        return RaeApp.Ok;
    }

    /// <summary>One row per input row: its timestamp (or index), score and 0/1 flag; streamed, so a long series is never one string.</summary>
    internal static void WriteScores(string path, TimeSeries table, IReadOnlyList<double> scores, IReadOnlyList<bool> flags) =>
        AtomicFile.Write(path, stream =>
        {
            using var w = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            w.Write(table.Timestamps is null ? "index,score,anomaly\n" : "timestamp,score,anomaly\n");
            for (int r = 0; r < scores.Count; r++)
            {
                w.Write(table.RowLabel(r));
                w.Write(',');
                w.Write(scores[r].ToString("R", CultureInfo.InvariantCulture));
                w.Write(flags[r] ? ",1\n" : ",0\n");
            }
        });

    /// <summary>start,end,peak,peak_score: the first and last flagged row of each event, and where and how high its score peaks.</summary>
    internal static string EventsCsv(TimeSeries table, IReadOnlyList<AnomalyEvent> events)
    {
        var sb = new StringBuilder("start,end,peak,peak_score\n");
        foreach (var e in events)
            sb.Append(table.RowLabel(e.Start)).Append(',').Append(table.RowLabel(e.End)).Append(',').Append(table.RowLabel(e.PeakRow)).Append(',')
              .Append(e.PeakScore.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        return sb.ToString();
    }

    static void Unstandardise(float[] values, Standardizer s)
    {
        int d = s.Mean.Length;
        for (int i = 0; i < values.Length; i++) values[i] = values[i] * s.Std[i % d] + s.Mean[i % d];
    }
}

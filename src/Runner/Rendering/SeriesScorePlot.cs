using System.Globalization;
using RecurrentAE.Model.Analysis;
using RecurrentAE.Model.Data;
using SkiaSharp;

namespace RecurrentAE.Runner.Rendering;

/// <summary>
/// A scored long series: a panel per feature (the first <see cref="MaxFeaturePanels"/>, in their own units) over a panel of
/// the point score with the threshold dashed, every flagged event shaded across all panels. A series longer than the plot
/// is wide is drawn as each pixel column's minimum-to-maximum range, so no spike is lost.
/// </summary>
public static class SeriesScorePlot
{
    /// <summary>The most feature panels drawn.</summary>
    public const int MaxFeaturePanels = 4;

    static readonly SKColor ScoreColor = new(0x2c, 0xa0, 0x2c);   // matplotlib C2
    static readonly SKColor EventShade = new(0xd6, 0x27, 0x28, 0x40); // matplotlib C3, translucent
    static readonly SKColor ThresholdColor = new(0xd6, 0x27, 0x28);

    /// <summary>Renders the plot; <paramref name="series"/> holds the values in their original units.</summary>
    public static SKBitmap Render(TimeSeries series, IReadOnlyList<double> scores, double threshold, IReadOnlyList<AnomalyEvent> events,
        int width = 1200, int panelHeight = 200)
    {
        if (scores.Count != series.Rows) throw new ArgumentException($"{scores.Count} scores for {series.Rows} rows");
        int featurePanels = Math.Min(series.Features, MaxFeaturePanels);
        int height = (featurePanels + 1) * panelHeight + 60;
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var font = Fonts.Default is { } tf ? new SKFont(tf, 13) { Edging = SKFontEdging.Antialias } : null;
        int rows = series.Rows;
        string range = series.Timestamps is { } ts ? $" ({TimeSeries.FormatTime(ts[0])} to {TimeSeries.FormatTime(ts[^1])})" : "";

        for (int p = 0; p <= featurePanels; p++)
        {
            bool scorePanel = p == featurePanels;
            int k = p;
            Func<int, double> value = scorePanel ? r => scores[r] : r => series.Values[r * series.Features + k];
            var (lo, hi) = Range(value, rows);
            if (scorePanel && double.IsFinite(threshold)) { lo = Math.Min(lo, threshold); hi = Math.Max(hi, threshold); }
            var axes = new Axes(SKRect.Create(90, p * panelHeight + 35, width - 120, panelHeight - 70), 0, Math.Max(1, rows - 1), lo, hi);
            Shade(canvas, axes, events);
            string title = scorePanel
                ? string.Create(CultureInfo.InvariantCulture, $"point score (threshold {threshold:G4}, {events.Count} event{(events.Count == 1 ? "" : "s")} shaded)")
                : $"{series.Columns[k]}{(p == 0 ? $" — {Path.GetFileName(series.Name)}" : "")}";
            axes.Draw(canvas, font, scorePanel ? "row" + range : null, scorePanel ? "score" : "value", title);
            using var paint = new SKPaint
            {
                Color = scorePanel ? ScoreColor : CodingMap.Palette[k % CodingMap.Palette.Length], StrokeWidth = 1.2f, IsAntialias = true, Style = SKPaintStyle.Stroke,
            };
            Envelope(canvas, axes, value, rows, paint);
            if (scorePanel && double.IsFinite(threshold))
            {
                using var dashed = new SKPaint { Color = ThresholdColor, StrokeWidth = 1.5f, IsAntialias = true, Style = SKPaintStyle.Stroke, PathEffect = SKPathEffect.CreateDash([6, 4], 0) };
                canvas.DrawLine(axes.Area.Left, axes.Y(threshold), axes.Area.Right, axes.Y(threshold), dashed);
            }
        }
        canvas.Flush();
        return bitmap;
    }

    /// <summary>Renders and writes the PNG atomically.</summary>
    public static void Write(TimeSeries series, IReadOnlyList<double> scores, double threshold, IReadOnlyList<AnomalyEvent> events, string path)
    {
        using var bitmap = Render(series, scores, threshold, events);
        Png.Write(bitmap, path);
    }

    static (double Lo, double Hi) Range(Func<int, double> value, int rows)
    {
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        for (int r = 0; r < rows; r++)
        {
            double v = value(r);
            if (!double.IsFinite(v)) continue;
            lo = Math.Min(lo, v);
            hi = Math.Max(hi, v);
        }
        return double.IsFinite(lo) ? (lo, hi) : (0, 1);
    }

    static void Shade(SKCanvas canvas, Axes axes, IReadOnlyList<AnomalyEvent> events)
    {
        using var shade = new SKPaint { Color = EventShade, Style = SKPaintStyle.Fill };
        foreach (var e in events)
        {
            float x0 = Math.Max(axes.Area.Left, axes.X(e.Start - 0.5)), x1 = Math.Min(axes.Area.Right, axes.X(e.End + 0.5));
            canvas.DrawRect(x0, axes.Area.Top, Math.Max(1, x1 - x0), axes.Area.Height, shade);
        }
    }

    /// <summary>The line through the values; where several rows share a pixel column, that column's minimum-to-maximum range.</summary>
    static void Envelope(SKCanvas canvas, Axes axes, Func<int, double> value, int rows, SKPaint paint)
    {
        using var path = new SKPath();
        int columns = Math.Max(1, (int)axes.Area.Width);
        if (rows <= 2 * columns)
        {
            for (int r = 0; r < rows; r++)
            {
                float x = axes.X(r), y = axes.Y(value(r));
                if (r == 0) path.MoveTo(x, y); else path.LineTo(x, y);
            }
        }
        else
        {
            for (int c = 0; c < columns; c++)
            {
                int first = (int)((long)c * rows / columns), last = (int)((long)(c + 1) * rows / columns) - 1;
                double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
                for (int r = first; r <= last; r++) { double v = value(r); lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
                float x = axes.X((first + last) / 2.0);
                if (c == 0) path.MoveTo(x, axes.Y(lo)); else path.LineTo(x, axes.Y(lo));
                path.LineTo(x, axes.Y(hi));
            }
        }
        canvas.DrawPath(path, paint);
    }
}

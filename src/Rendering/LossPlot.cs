using RecurrentAE.Model.Training;
using System.Globalization;
using RecurrentAE.Model;
using SkiaSharp;

namespace RecurrentAE.Rendering;

/// <summary>loss and val_loss against the epoch: a line plot with axes, ticks and a legend.</summary>
public static class LossPlot
{
    static readonly SKColor LossColor = new(0x1f, 0x77, 0xb4);   // matplotlib C0
    static readonly SKColor ValColor = new(0xff, 0x7f, 0x0e);    // matplotlib C1

    /// <summary>The y-axis title for a model's loss.</summary>
    public static string LossName(RecurrentAE.Kernels.OutputHead head) => head switch
    {
        RecurrentAE.Kernels.OutputHead.Sigmoid => "loss (binary cross-entropy)",
        RecurrentAE.Kernels.OutputHead.Linear => "loss (mean squared error)",
        _ => "loss (categorical cross-entropy)",
    };

    /// <summary>loss and val_loss of <paramref name="history"/> against the epoch; <paramref name="yTitle"/> names the loss
    /// (see <see cref="LossName"/>). The caller disposes the bitmap.</summary>
    public static SKBitmap Render(IReadOnlyList<EpochResult> history, int width = 800, int height = 500, string yTitle = "loss (binary cross-entropy)")
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        var typeface = Fonts.Default;
        using var font = typeface is null ? null : new SKFont(typeface, 13) { Edging = SKFontEdging.Antialias };
        using var textPaint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var axisPaint = new SKPaint { Color = SKColors.Black, StrokeWidth = 1, Style = SKPaintStyle.Stroke, IsAntialias = false };
        using var gridPaint = new SKPaint { Color = new SKColor(0xe0, 0xe0, 0xe0), StrokeWidth = 1, Style = SKPaintStyle.Stroke };

        float left = 75, right = width - 20, top = 40, bottom = height - 55;
        var finite = history.SelectMany(h => new[] { h.Loss, h.ValLoss }).Where(double.IsFinite).ToList();
        double yMin = finite.Count > 0 ? finite.Min() : 0, yMax = finite.Count > 0 ? finite.Max() : 1;
        if (yMax - yMin < 1e-6) { yMin -= 0.01; yMax += 0.01; }
        double pad = 0.08 * (yMax - yMin);
        yMin -= pad; yMax += pad;
        double xMin = 1, xMax = Math.Max(2, history.Count == 0 ? 2 : history.Max(h => h.Epoch));
        if (history.Count > 0) xMin = Math.Min(history.Min(h => h.Epoch), xMax - 1);
        float X(double e) => (float)(left + (e - xMin) / (xMax - xMin) * (right - left));
        float Y(double v) => (float)(bottom - (v - yMin) / (yMax - yMin) * (bottom - top));

        // grid and y ticks
        double step = NiceStep((yMax - yMin) / 6);
        for (double v = Math.Ceiling(yMin / step) * step; v <= yMax; v += step)
        {
            canvas.DrawLine(left, Y(v), right, Y(v), gridPaint);
            canvas.DrawLine(left - 5, Y(v), left, Y(v), axisPaint);
            if (font is not null)
                canvas.DrawText(v.ToString(step < 0.01 ? "F3" : "F2", CultureInfo.InvariantCulture), left - 8, Y(v) + 4, SKTextAlign.Right, font, textPaint);
        }
        // x ticks at whole epochs
        int xStep = Math.Max(1, (int)Math.Ceiling((xMax - xMin) / 10));
        for (int e = (int)xMin; e <= xMax; e += xStep)
        {
            canvas.DrawLine(X(e), bottom, X(e), bottom + 5, axisPaint);
            if (font is not null)
                canvas.DrawText(e.ToString(CultureInfo.InvariantCulture), X(e), bottom + 20, SKTextAlign.Center, font, textPaint);
        }
        canvas.DrawRect(SKRect.Create(left, top, right - left, bottom - top), axisPaint);

        DrawSeries(canvas, history, h => h.Loss, LossColor, X, Y);
        DrawSeries(canvas, history, h => h.ValLoss, ValColor, X, Y);

        if (font is not null)
        {
            canvas.DrawText("Training and validation loss", (left + right) / 2, top - 14, SKTextAlign.Center, font, textPaint);
            canvas.DrawText("epoch", (left + right) / 2, height - 15, SKTextAlign.Center, font, textPaint);
            canvas.Save();
            canvas.RotateDegrees(-90, 20, (top + bottom) / 2);
            canvas.DrawText(yTitle, 20, (top + bottom) / 2 + 4, SKTextAlign.Center, font, textPaint);
            canvas.Restore();
        }
        // legend (upper right)
        float lx = right - 130, ly = top + 12;
        using (var box = new SKPaint { Color = SKColors.White, Style = SKPaintStyle.Fill })
            canvas.DrawRect(SKRect.Create(lx - 8, ly - 6, 126, 48), box);
        canvas.DrawRect(SKRect.Create(lx - 8, ly - 6, 126, 48), gridPaint);
        foreach (var (name, color, dy) in new[] { ("loss", LossColor, 8f), ("val_loss", ValColor, 30f) })
        {
            using var p = new SKPaint { Color = color, StrokeWidth = 2.5f, IsAntialias = true, Style = SKPaintStyle.Stroke };
            canvas.DrawLine(lx, ly + dy, lx + 30, ly + dy, p);
            if (font is not null) canvas.DrawText(name, lx + 38, ly + dy + 4, SKTextAlign.Left, font, textPaint);
        }
        canvas.Flush();
        return bitmap;
    }

    static void DrawSeries(SKCanvas canvas, IReadOnlyList<EpochResult> history, Func<EpochResult, double> value, SKColor color,
        Func<double, float> x, Func<double, float> y)
    {
        using var line = new SKPaint { Color = color, StrokeWidth = 2.5f, IsAntialias = true, Style = SKPaintStyle.Stroke };
        using var dot = new SKPaint { Color = color, IsAntialias = true, Style = SKPaintStyle.Fill };
        using var path = new SKPath();
        bool started = false;
        foreach (var h in history)
        {
            double v = value(h);
            if (!double.IsFinite(v)) { started = false; continue; }
            if (!started) path.MoveTo(x(h.Epoch), y(v)); else path.LineTo(x(h.Epoch), y(v));
            started = true;
            canvas.DrawCircle(x(h.Epoch), y(v), 4, dot);
        }
        canvas.DrawPath(path, line);
    }

    internal static double NiceStep(double raw)
    {
        if (raw <= 0 || !double.IsFinite(raw)) return 1;
        double mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double f = raw / mag;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
    }

    /// <summary>Renders the plot (<see cref="Render"/>) and writes it as a PNG, atomically.</summary>
    public static void Write(IReadOnlyList<EpochResult> history, string path, string yTitle = "loss (binary cross-entropy)")
    {
        using var bitmap = Render(history, yTitle: yTitle);
        Png.Write(bitmap, path);
    }
}

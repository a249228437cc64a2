using System.Globalization;
using SkiaSharp;

namespace RecurrentAE.Rendering;

/// <summary>A plot area with data ranges: maps data to pixels and draws the frame, grid, tick labels and axis titles.</summary>
internal sealed class Axes
{
    public Axes(SKRect area, double xMin, double xMax, double yMin, double yMax, double padFraction = 0.05)
    {
        if (!(xMax - xMin > 1e-12)) { xMin -= 0.5; xMax += 0.5; }
        if (!(yMax - yMin > 1e-12)) { yMin -= 0.5; yMax += 0.5; }
        double px = padFraction * (xMax - xMin), py = padFraction * (yMax - yMin);
        Area = area;
        (XMin, XMax, YMin, YMax) = (xMin - px, xMax + px, yMin - py, yMax + py);
    }

    public SKRect Area { get; }
    public double XMin { get; }
    public double XMax { get; }
    public double YMin { get; }
    public double YMax { get; }

    public float X(double v) => (float)(Area.Left + (v - XMin) / (XMax - XMin) * Area.Width);
    public float Y(double v) => (float)(Area.Bottom - (v - YMin) / (YMax - YMin) * Area.Height);

    public void Draw(SKCanvas canvas, SKFont? font, string? xTitle, string? yTitle, string? title)
    {
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var axis = new SKPaint { Color = SKColors.Black, StrokeWidth = 1, Style = SKPaintStyle.Stroke };
        using var grid = new SKPaint { Color = new SKColor(0xe6, 0xe6, 0xe6), StrokeWidth = 1, Style = SKPaintStyle.Stroke };
        double ys = LossPlot.NiceStep((YMax - YMin) / 6), xs = LossPlot.NiceStep((XMax - XMin) / 8);
        for (double v = Math.Ceiling(YMin / ys) * ys; v <= YMax; v += ys)
        {
            canvas.DrawLine(Area.Left, Y(v), Area.Right, Y(v), grid);
            canvas.DrawLine(Area.Left - 5, Y(v), Area.Left, Y(v), axis);
            if (font is not null) canvas.DrawText(Format(v, ys), Area.Left - 8, Y(v) + 4, SKTextAlign.Right, font, text);
        }
        for (double v = Math.Ceiling(XMin / xs) * xs; v <= XMax; v += xs)
        {
            canvas.DrawLine(X(v), Area.Top, X(v), Area.Bottom, grid);
            canvas.DrawLine(X(v), Area.Bottom, X(v), Area.Bottom + 5, axis);
            if (font is not null) canvas.DrawText(Format(v, xs), X(v), Area.Bottom + 18, SKTextAlign.Center, font, text);
        }
        canvas.DrawRect(Area, axis);
        if (font is null) return;
        if (title is not null) canvas.DrawText(title, Area.MidX, Area.Top - 10, SKTextAlign.Center, font, text);
        if (xTitle is not null) canvas.DrawText(xTitle, Area.MidX, Area.Bottom + 38, SKTextAlign.Center, font, text);
        if (yTitle is not null)
        {
            float x = Area.Left - 52;
            canvas.Save();
            canvas.RotateDegrees(-90, x, Area.MidY);
            canvas.DrawText(yTitle, x, Area.MidY + 4, SKTextAlign.Center, font, text);
            canvas.Restore();
        }
    }

    static string Format(double v, double step)
    {
        if (Math.Abs(v) < step * 1e-6) v = 0;
        int decimals = Math.Clamp((int)Math.Ceiling(-Math.Log10(step)), 0, 6);
        return v.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }
}

using System.Globalization;
using SkiaSharp;

namespace RecurrentAE.Rendering;

/// <summary>A map of the codings: one dot a sequence at its first two principal components, coloured by label with a
/// legend when there are labels.</summary>
public static class CodingMap
{
    /// <summary>matplotlib's tab10 (then tab20's lighter half) so the Fashion-MNIST map reads like the Keras one.</summary>
    public static readonly SKColor[] Palette =
    [
        new(0x1f, 0x77, 0xb4), new(0xff, 0x7f, 0x0e), new(0x2c, 0xa0, 0x2c), new(0xd6, 0x27, 0x28), new(0x94, 0x67, 0xbd),
        new(0x8c, 0x56, 0x4b), new(0xe3, 0x77, 0xc2), new(0x7f, 0x7f, 0x7f), new(0xbc, 0xbd, 0x22), new(0x17, 0xbe, 0xcf),
        new(0xae, 0xc7, 0xe8), new(0xff, 0xbb, 0x78), new(0x98, 0xdf, 0x8a), new(0xff, 0x98, 0x96), new(0xc5, 0xb0, 0xd5),
        new(0xc4, 0x9c, 0x94), new(0xf7, 0xb6, 0xd2), new(0xc7, 0xc7, 0xc7), new(0xdb, 0xdb, 0x8d), new(0x9e, 0xda, 0xe5),
    ];

    /// <summary>The default image size in pixels.</summary>
    public const int DefaultWidth = 900, DefaultHeight = 700;

    /// <summary>
    /// <paramref name="points"/>: (count, 2) row-major. <paramref name="labels"/>: one a point or null;
    /// <paramref name="labelName"/> names a label value for the legend.
    /// </summary>
    public static SKBitmap Render(ReadOnlySpan<float> points, int count, int[]? labels, Func<int, string>? labelName, string title,
        int width = DefaultWidth, int height = DefaultHeight)
    {
        if (points.Length != count * 2) throw new ArgumentException($"{points.Length} values are not {count} points");
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var font = Fonts.Default is { } tf ? new SKFont(tf, 13) { Edging = SKFontEdging.Antialias } : null;
        var classes = labels is null ? [] : labels.Distinct().Order().ToList();
        float legendWidth = classes.Count > 0 ? 170 : 0;
        double xMin = double.MaxValue, xMax = double.MinValue, yMin = double.MaxValue, yMax = double.MinValue;
        for (int i = 0; i < count; i++)
        {
            double x = points[2 * i], y = points[2 * i + 1];
            if (!double.IsFinite(x) || !double.IsFinite(y)) continue;
            (xMin, xMax, yMin, yMax) = (Math.Min(xMin, x), Math.Max(xMax, x), Math.Min(yMin, y), Math.Max(yMax, y));
        }
        if (xMin > xMax) (xMin, xMax, yMin, yMax) = (0, 1, 0, 1);
        var axes = new Axes(SKRect.Create(80, 40, width - 110 - legendWidth, height - 100), xMin, xMax, yMin, yMax);
        axes.Draw(canvas, font, "PC1", "PC2", title);

        float radius = count > 2000 ? 2.2f : count > 300 ? 3f : 4f;
        byte alpha = count > 2000 ? (byte)150 : (byte)210;
        using var dot = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Fill };
        canvas.Save();
        canvas.ClipRect(axes.Area);
        for (int i = 0; i < count; i++)
        {
            int c = labels is null ? 0 : classes.IndexOf(labels[i]);
            dot.Color = Palette[c % Palette.Length].WithAlpha(alpha);
            canvas.DrawCircle(axes.X(points[2 * i]), axes.Y(points[2 * i + 1]), radius, dot);
        }
        canvas.Restore();

        if (classes.Count > 0 && font is not null)
        {
            using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            float lx = axes.Area.Right + 20, ly = axes.Area.Top + 10;
            int shown = Math.Min(classes.Count, (int)((axes.Area.Height - 20) / 20));
            for (int c = 0; c < shown; c++)
            {
                dot.Color = Palette[c % Palette.Length];
                canvas.DrawCircle(lx + 6, ly + c * 20, 5, dot);
                var name = labelName?.Invoke(classes[c]) ?? classes[c].ToString(CultureInfo.InvariantCulture);
                canvas.DrawText(name, lx + 18, ly + c * 20 + 5, SKTextAlign.Left, font, text);
            }
            if (shown < classes.Count)
                canvas.DrawText($"... {classes.Count - shown} more", lx, ly + shown * 20 + 5, SKTextAlign.Left, font, text);
        }
        canvas.Flush();
        return bitmap;
    }

    /// <summary>Renders the map (<see cref="Render"/>) and writes it as a PNG, atomically.</summary>
    public static void Write(ReadOnlySpan<float> points, int count, int[]? labels, Func<int, string>? labelName, string title, string path)
    {
        using var bitmap = Render(points, count, labels, labelName, title);
        Png.Write(bitmap, path);
    }
}

using RecurrentAE.Model;
using RecurrentAE.Model.Data;
using SkiaSharp;

namespace RecurrentAE.Rendering;

/// <summary>Where each image lies in the reconstruction figure (pixels).</summary>
internal sealed record ReconstructionLayout(int Count, int Rows, int Cols, int Scale, int Margin, int Gap, int LabelHeight)
{
    public int CellWidth => Cols * Scale;
    public int CellHeight => Rows * Scale;
    public int Width => 2 * Margin + Count * CellWidth + (Count - 1) * Gap;
    public int Height => 2 * Margin + 2 * CellHeight + Gap + LabelHeight;
    public SKPointI OriginalOrigin(int i) => new(Margin + i * (CellWidth + Gap), Margin);
    public SKPointI ReconstructionOrigin(int i) => new(Margin + i * (CellWidth + Gap), Margin + CellHeight + Gap);
}

/// <summary>
/// The Keras example's figure: n originals above their reconstructions, matplotlib's <c>binary</c> colormap
/// (0 white, 1 black), enlarged by nearest neighbour (no blur), the class name under each pair.
/// </summary>
public static class ReconstructionImage
{
    /// <summary>Screen pixels per data pixel (4: a 28x28 image is drawn 112x112).</summary>
    public const int DefaultScale = 4;

    internal static ReconstructionLayout Layout(int count, int rows, int cols, int scale, bool hasLabels) =>
        new(count, rows, cols, scale, Margin: 2 * scale, Gap: 2 * scale, LabelHeight: hasLabels ? 6 * scale : 0);

    /// <summary>Gray level of the binary colormap: 0 -> 255 (white), 1 -> 0 (black), clamped.</summary>
    public static byte Gray(float value)
    {
        float v = float.IsNaN(value) ? 0f : Math.Clamp(value, 0f, 1f);
        return (byte)MathF.Round(255f * (1f - v));
    }

    /// <summary>Renders <paramref name="count"/> image pairs: each original (<paramref name="rows"/> x <paramref name="cols"/>
    /// values in [0, 1], row-major, images one after another) above its reconstruction. <paramref name="labels"/> (one a
    /// pair) are drawn under the pairs when <paramref name="useFont"/> is set and the machine has a font
    /// (<see cref="Fonts.Default"/>). The caller disposes the bitmap.</summary>
    public static SKBitmap Render(ReadOnlySpan<float> originals, ReadOnlySpan<float> reconstructions, int count, int rows, int cols,
        IReadOnlyList<string>? labels = null, int scale = DefaultScale, bool useFont = true)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count));
        int n = rows * cols;
        if (originals.Length < count * n || reconstructions.Length < count * n)
            throw new ArgumentException("fewer values than count x rows x cols");
        var typeface = useFont && labels is not null ? Fonts.Default : null;
        var layout = Layout(count, rows, cols, scale, typeface is not null);
        var bitmap = new SKBitmap(new SKImageInfo(layout.Width, layout.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var paint = new SKPaint { IsAntialias = false, Style = SKPaintStyle.Fill };
        for (int i = 0; i < count; i++)
        {
            DrawImage(canvas, paint, originals.Slice(i * n, n), rows, cols, scale, layout.OriginalOrigin(i));
            DrawImage(canvas, paint, reconstructions.Slice(i * n, n), rows, cols, scale, layout.ReconstructionOrigin(i));
        }
        if (typeface is not null && labels is not null)
        {
            using var font = new SKFont(typeface, 3.2f * scale) { Edging = SKFontEdging.Antialias };
            using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            for (int i = 0; i < count && i < labels.Count; i++)
            {
                var o = layout.ReconstructionOrigin(i);
                float x = o.X + layout.CellWidth / 2f;
                float y = o.Y + layout.CellHeight + layout.LabelHeight * 0.72f;
                canvas.DrawText(labels[i], x, y, SKTextAlign.Center, font, text);
            }
        }
        canvas.Flush();
        return bitmap;
    }

    static void DrawImage(SKCanvas canvas, SKPaint paint, ReadOnlySpan<float> values, int rows, int cols, int scale, SKPointI origin)
    {
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                byte g = Gray(values[r * cols + c]);
                paint.Color = new SKColor(g, g, g);
                canvas.DrawRect(SKRect.Create(origin.X + c * scale, origin.Y + r * scale, scale, scale), paint);
            }
    }

    /// <summary>Reconstructs the first <paramref name="count"/> sequences of <paramref name="data"/> and writes the
    /// figure as a PNG (atomically). Class names come from the labels when present.</summary>
    public static void Write(RecurrentAutoencoder model, SequenceDataset data, int count, string path, int scale = DefaultScale)
    {
        count = Math.Min(count, data.Count);
        int n = data.Steps * data.Features;
        var originals = data.Values.AsSpan(0, count * n);
        var reconstructions = new float[count * n];
        const int chunk = 256; // within the model's workspace (maxBatch)
        for (int start = 0; start < count; start += chunk)
        {
            int c = Math.Min(chunk, count - start);
            model.Reconstruct(originals.Slice(start * n, c * n), c, data.Steps).AsSpan(0, c * n).CopyTo(reconstructions.AsSpan(start * n));
        }
        IReadOnlyList<string>? labels = data.Labels is { } l ? l.Take(count).Select(FashionMnist.ClassName).ToArray() : null;
        using var bitmap = Render(originals, reconstructions, count, data.Steps, data.Features, labels, scale);
        Png.Write(bitmap, path);
    }
}

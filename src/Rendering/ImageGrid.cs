using SkiaSharp;

namespace RecurrentAE.Rendering;

/// <summary>Images (e.g. decoded Fashion-MNIST samples) in a grid, <see cref="ReconstructionImage"/>'s colormap (0 white,
/// 1 black) and nearest-neighbour enlargement, an optional caption under each.</summary>
public static class ImageGrid
{
    /// <summary>Renders <paramref name="count"/> images of <paramref name="rows"/> x <paramref name="cols"/> values (row-major,
    /// one after another), <paramref name="perRow"/> a grid row. The caller disposes the bitmap.</summary>
    public static SKBitmap Render(ReadOnlySpan<float> images, int count, int rows, int cols, int perRow,
        IReadOnlyList<string>? captions = null, int scale = ReconstructionImage.DefaultScale)
    {
        if (count < 1 || perRow < 1 || rows < 1 || cols < 1 || scale < 1) throw new ArgumentOutOfRangeException(nameof(count), "a grid needs at least one image, row, column and pixel");
        int n = rows * cols;
        if (images.Length < count * n) throw new ArgumentException("fewer values than count x rows x cols");
        var typeface = captions is not null ? Fonts.Default : null;
        int gap = 2 * scale, captionHeight = typeface is not null ? 6 * scale : 0;
        int gridCols = Math.Min(perRow, count), gridRows = (count + perRow - 1) / perRow;
        int cellW = cols * scale + gap, cellH = rows * scale + gap + captionHeight;
        var bitmap = new SKBitmap(new SKImageInfo(gridCols * cellW + gap, gridRows * cellH + gap, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var paint = new SKPaint { IsAntialias = false, Style = SKPaintStyle.Fill };
        using var font = typeface is not null ? new SKFont(typeface, 3.2f * scale) { Edging = SKFontEdging.Antialias } : null;
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        for (int i = 0; i < count; i++)
        {
            int x0 = gap + i % perRow * cellW, y0 = gap + i / perRow * cellH;
            var image = images.Slice(i * n, n);
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                {
                    byte g = ReconstructionImage.Gray(image[r * cols + c]);
                    paint.Color = new SKColor(g, g, g);
                    canvas.DrawRect(SKRect.Create(x0 + c * scale, y0 + r * scale, scale, scale), paint);
                }
            if (font is not null && captions is not null && i < captions.Count)
                canvas.DrawText(captions[i], x0 + cols * scale / 2f, y0 + rows * scale + captionHeight * 0.8f, SKTextAlign.Center, font, text);
        }
        canvas.Flush();
        return bitmap;
    }

    /// <summary>Renders and writes the grid as a PNG (atomically).</summary>
    public static void Write(ReadOnlySpan<float> images, int count, int rows, int cols, int perRow, string path,
        IReadOnlyList<string>? captions = null, int scale = ReconstructionImage.DefaultScale)
    {
        using var bitmap = Render(images, count, rows, cols, perRow, captions, scale);
        Png.Write(bitmap, path);
    }
}

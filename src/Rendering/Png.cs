using RecurrentAE.Model.IO;
using SkiaSharp;

namespace RecurrentAE.Rendering;

/// <summary>Encodes SkiaSharp bitmaps as PNG.</summary>
public static class Png
{
    /// <summary>The PNG bytes of <paramref name="bitmap"/>.</summary>
    public static byte[] Encode(SKBitmap bitmap)
    {
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Writes the bitmap as a PNG, atomically.</summary>
    public static void Write(SKBitmap bitmap, string path) => AtomicFile.WriteAllBytes(path, Encode(bitmap));
}

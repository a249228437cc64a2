using RecurrentAE.Model.IO;
using SkiaSharp;

namespace RecurrentAE.Rendering;

public static class Png
{
    public static byte[] Encode(SKBitmap bitmap)
    {
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Writes the bitmap as a PNG, atomically.</summary>
    public static void Write(SKBitmap bitmap, string path) => AtomicFile.WriteAllBytes(path, Encode(bitmap));
}

using SkiaSharp;

namespace RecurrentAE.Rendering;

/// <summary>Finds a typeface for labels: Skia's default (fontconfig; Debian's fonts-dejavu-core), else a DejaVu TTF
/// at a known path, else none (images are then written without text).</summary>
public static class Fonts
{
    static readonly Lazy<SKTypeface?> Cached = new(Find);

    static readonly string[] KnownFiles =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/System/Library/Fonts/Helvetica.ttc",
        "C:\\Windows\\Fonts\\arial.ttf",
    ];

    /// <summary>A usable typeface, or null when this machine has no font.</summary>
    public static SKTypeface? Default => Cached.Value;

    static SKTypeface? Find()
    {
        try
        {
            foreach (var family in new[] { "DejaVu Sans", "sans-serif" })
            {
                var tf = SKTypeface.FromFamilyName(family);
                if (Usable(tf)) return tf;
            }
            if (Usable(SKTypeface.Default)) return SKTypeface.Default;
            foreach (var file in KnownFiles)
            {
                if (!File.Exists(file)) continue;
                var tf = SKTypeface.FromFile(file);
                if (Usable(tf)) return tf;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or IOException)
        {
        }
        return null;
    }

    static bool Usable(SKTypeface? tf)
    {
        if (tf is null) return false;
        using var font = new SKFont(tf, 12);
        var glyphs = font.GetGlyphs("Ab");
        return glyphs.Length == 2 && glyphs[0] != 0 && glyphs[1] != 0;
    }
}

using RecurrentAE.Runner.Output;
using RecurrentAE.Rendering;
using SkiaSharp;

namespace RecurrentAE.Tests.Runner;

public class RenderingTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ReconstructionFigureUsesTheBinaryColormapWithoutBlur(bool useFont)
    {
        const int count = 3, rows = 28, cols = 28, scale = 4;
        var originals = new float[count * rows * cols];          // all 0 -> white
        var reconstructions = Enumerable.Repeat(1f, count * rows * cols).ToArray(); // all 1 -> black
        originals[5 * cols + 7] = 1f;                            // one black pixel in the first original
        reconstructions[(2 * rows * cols) + 0] = 0.5f;           // one mid-gray pixel in the third reconstruction
        var labels = new[] { "T-shirt/top", "Trouser", "Ankle boot" };

        using var bitmap = ReconstructionImage.Render(originals, reconstructions, count, rows, cols, labels, scale, useFont);
        bool hasFont = useFont && Fonts.Default is not null;
        var layout = ReconstructionImage.Layout(count, rows, cols, scale, hasFont);
        Assert.Equal(layout.Width, bitmap.Width);
        Assert.Equal(layout.Height, bitmap.Height);
        Assert.Equal(2 * 8 + 3 * 112 + 2 * 8, bitmap.Width);

        var png = Png.Encode(bitmap);
        using var decoded = SKBitmap.Decode(png);
        Assert.Equal(bitmap.Width, decoded.Width);

        var o0 = layout.OriginalOrigin(0);
        Assert.Equal(SKColors.White, decoded.GetPixel(o0.X + 1, o0.Y + 1));                 // value 0
        for (int dy = 0; dy < scale; dy++)                                                   // value 1, a sharp 4x4 block
            for (int dx = 0; dx < scale; dx++)
                Assert.Equal(SKColors.Black, decoded.GetPixel(o0.X + 7 * scale + dx, o0.Y + 5 * scale + dy));
        Assert.Equal(SKColors.White, decoded.GetPixel(o0.X + 8 * scale, o0.Y + 5 * scale)); // neighbour untouched (no blur)
        var r1 = layout.ReconstructionOrigin(1);
        Assert.Equal(SKColors.Black, decoded.GetPixel(r1.X + 50, r1.Y + 50));
        var r2 = layout.ReconstructionOrigin(2);
        Assert.Equal(new SKColor(128, 128, 128), decoded.GetPixel(r2.X + 1, r2.Y + 1));    // 0.5 -> 128
        Assert.Equal(SKColors.White, decoded.GetPixel(0, 0));                               // margin

        if (hasFont)
        {
            // some dark text pixels under the first pair
            int dark = 0;
            for (int y = r1.Y + layout.CellHeight; y < layout.Height; y++)
                for (int x = o0.X; x < o0.X + layout.CellWidth; x++)
                    if (decoded.GetPixel(x, y).Red < 128) dark++;
            Assert.True(dark > 10);
        }
    }

    [Fact]
    public void GrayLevels()
    {
        Assert.Equal(255, ReconstructionImage.Gray(0f));
        Assert.Equal(0, ReconstructionImage.Gray(1f));
        Assert.Equal(255, ReconstructionImage.Gray(-3f));
        Assert.Equal(0, ReconstructionImage.Gray(7f));
    }

    [Fact]
    public void LossPlotRendersAndWritesAtomically()
    {
        var history = new List<EpochResult> { new(1, 0.35, 0.31, 10, 6), new(2, 0.30, 0.29, 10, 6), new(3, 0.28, double.NaN, 10, 6) };
        var dir = TestIdx.TempDir();
        var path = Path.Combine(dir, "loss.png");
        LossPlot.Write(history, path);
        using var decoded = SKBitmap.Decode(path);
        Assert.Equal(800, decoded.Width);
        Assert.Equal(500, decoded.Height);
        Assert.Equal(SKColors.White, decoded.GetPixel(2, 2));
        Assert.Single(Directory.GetFiles(dir));
    }

    [Fact]
    public void HistoryCsvAndJson()
    {
        var history = new List<EpochResult> { new(1, 0.3, 0.29, 12.3456, 7.1, 0.00025) };
        var csv = History.ToCsv(history).Split('\n');
        Assert.Equal("epoch,loss,val_loss,seconds,ms_per_step,lr", csv[0]);
        Assert.Equal("1,0.3,0.29,12.346,7.100,0.00025", csv[1]);
        Assert.Contains("\"val_loss\": 0.29", History.ToJson(history));
        Assert.Contains("\"lr\": 0.00025", History.ToJson(history));
    }
}

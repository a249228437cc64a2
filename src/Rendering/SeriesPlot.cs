using RecurrentAE.Model;
using RecurrentAE.Model.Checkpoints;
using SkiaSharp;

namespace RecurrentAE.Rendering;

/// <summary>One panel of <see cref="SeriesPlot"/>: a sequence and its reconstruction, step-major (length x features).</summary>
/// <param name="Title">The panel's title.</param>
/// <param name="Original">The sequence, (length, features) step-major.</param>
/// <param name="Reconstruction">Its reconstruction, same shape.</param>
/// <param name="Features">Values a step (one line each).</param>
public sealed record SeriesPanel(string Title, float[] Original, float[] Reconstruction, int Features);

/// <summary>Sequences over their reconstructions: one panel each, stacked; the original solid, the reconstruction dashed,
/// one colour a feature.</summary>
public static class SeriesPlot
{
    static readonly SKColor[] Palette = CodingMap.Palette;

    /// <summary>One panel a sequence, <paramref name="panelHeight"/> pixels each. The caller disposes the bitmap.</summary>
    public static SKBitmap Render(IReadOnlyList<SeriesPanel> panels, int width = 900, int panelHeight = 220)
    {
        if (panels.Count == 0) throw new ArgumentException("no series to plot");
        int height = panels.Count * panelHeight + 40;
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var font = Fonts.Default is { } tf ? new SKFont(tf, 13) { Edging = SKFontEdging.Antialias } : null;
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        for (int p = 0; p < panels.Count; p++)
        {
            var panel = panels[p];
            int f = Math.Max(1, panel.Features), steps = panel.Original.Length / f;
            var all = panel.Original.Concat(panel.Reconstruction).Where(float.IsFinite).ToArray();
            var axes = new Axes(SKRect.Create(80, p * panelHeight + 35, width - 110, panelHeight - 80),
                0, Math.Max(1, steps - 1), all.Length > 0 ? all.Min() : 0, all.Length > 0 ? all.Max() : 1);
            axes.Draw(canvas, font, p == panels.Count - 1 ? "step" : null, "value", panel.Title);
            for (int k = 0; k < f; k++)
            {
                using var solid = new SKPaint { Color = Palette[k % Palette.Length], StrokeWidth = 2, IsAntialias = true, Style = SKPaintStyle.Stroke };
                using var dashed = new SKPaint
                {
                    Color = Palette[(k + 1) % Palette.Length], StrokeWidth = 2, IsAntialias = true, Style = SKPaintStyle.Stroke,
                    PathEffect = SKPathEffect.CreateDash([6, 4], 0),
                };
                Line(canvas, axes, panel.Original, k, f, steps, solid);
                Line(canvas, axes, panel.Reconstruction, k, f, Math.Min(steps, panel.Reconstruction.Length / f), dashed);
            }
            if (font is not null && p == 0)
            {
                float lx = width - 250, ly = 12;
                using var a = new SKPaint { Color = Palette[0], StrokeWidth = 2, Style = SKPaintStyle.Stroke };
                using var b = new SKPaint { Color = Palette[1], StrokeWidth = 2, Style = SKPaintStyle.Stroke, PathEffect = SKPathEffect.CreateDash([6, 4], 0) };
                canvas.DrawLine(lx, ly, lx + 25, ly, a);
                canvas.DrawText("original", lx + 30, ly + 4, SKTextAlign.Left, font, text);
                canvas.DrawLine(lx + 100, ly, lx + 125, ly, b);
                canvas.DrawText("reconstruction", lx + 130, ly + 4, SKTextAlign.Left, font, text);
            }
        }
        canvas.Flush();
        return bitmap;
    }

    static void Line(SKCanvas canvas, Axes axes, float[] values, int feature, int features, int steps, SKPaint paint)
    {
        using var path = new SKPath();
        for (int t = 0; t < steps; t++)
        {
            float x = axes.X(t), y = axes.Y(values[t * features + feature]);
            if (t == 0) path.MoveTo(x, y); else path.LineTo(x, y);
        }
        canvas.DrawPath(path, paint);
    }

    /// <summary>Renders the panels (<see cref="Render"/>) and writes them as a PNG, atomically.</summary>
    public static void Write(IReadOnlyList<SeriesPanel> panels, string path)
    {
        using var bitmap = Render(panels);
        Png.Write(bitmap, path);
    }

    /// <summary>Panels for sequences of <paramref name="data"/> (in the model's space) over their reconstructions, both in the
    /// data's original units, each over its own steps; titled with the label and the reconstruction error.</summary>
    public static List<SeriesPanel> Panels(RecurrentAutoencoder model, SequenceDataset data, DataInfo info, IReadOnlyList<int> indices)
    {
        var subset = Pick(data, indices);
        var reconstruction = model.Reconstruct(subset);
        var errors = model.SequenceErrors(subset);
        var scaler = info.Standardizer;
        var panels = new List<SeriesPanel>();
        for (int i = 0; i < subset.Count; i++)
        {
            int n = subset.LengthOf(i) * subset.Features;
            var original = subset.Sequence(i)[..n].ToArray();
            var rec = reconstruction.AsSpan(i * subset.SequenceLength, n).ToArray();
            if (scaler is not null) { original = scaler.InvertValues(original, subset.Features); rec = scaler.InvertValues(rec, subset.Features); }
            string label = subset.LabelText(i) is { } l ? $"{l}, " : "";
            panels.Add(new SeriesPanel($"sequence {indices[i]} ({label}error {errors[i]:G4})", original, rec, subset.Features));
        }
        return panels;
    }

    /// <summary>The first <paramref name="count"/> sequences over their reconstructions, as a PNG.</summary>
    public static void WriteReconstructions(RecurrentAutoencoder model, SequenceDataset data, DataInfo info, int count, string path) =>
        Write(Panels(model, data, info, [.. Enumerable.Range(0, Math.Min(count, data.Count))]), path);

    static SequenceDataset Pick(SequenceDataset data, IReadOnlyList<int> indices)
    {
        var seqs = indices.Select(i => data.Sequence(i)[..(data.LengthOf(i) * data.Features)].ToArray()).ToList();
        var labels = data.Labels is { } l ? indices.Select(i => l[i]).ToArray() : null;
        return SequenceDataset.FromRagged(seqs, data.Features, labels, data.LabelNames);
    }
}

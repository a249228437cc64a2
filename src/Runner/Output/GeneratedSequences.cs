using System.Globalization;
using System.Text;
using RecurrentAE.Model.Checkpoints;
using RecurrentAE.Rendering;

namespace RecurrentAE.Runner.Output;

/// <summary>Sequences a variational model decoded from new codings (<c>rae sample</c>, <c>rae interpolate</c>), shown as
/// its data is: Fashion-MNIST as a grid of images, a text model's as lines (printed, and written to the file as text),
/// other sequences as plots in the data's units.</summary>
internal static class GeneratedSequences
{
    /// <summary>Writes <paramref name="count"/> decoded sequences of <paramref name="steps"/> steps, (count, steps, features).</summary>
    public static void Write(TextWriter o, DataInfo info, float[] decoded, int count, int steps, int perRow, string path,
        IReadOnlyList<string> captions)
    {
        int features = info.Features;
        if (info.IsText)
        {
            var vocabulary = info.Vocabulary!;
            var text = new StringBuilder();
            for (int i = 0; i < count; i++)
            {
                var line = new StringBuilder();
                for (int t = 0; t < steps; t++)
                {
                    var step = decoded.AsSpan((i * steps + t) * features, features);
                    line.Append(vocabulary.Symbols[Model.Text.OneHot.IndexOfMax(step)]);
                }
                string s = line.ToString().TrimEnd();
                o.WriteLine($"{captions[i]}: {s}");
                text.Append(s).Append('\n');
            }
            Model.IO.AtomicFile.WriteAllText(path, text.ToString());
            o.WriteLine($"Wrote {path}");
            return;
        }
        if (info.IsFashionMnist)
            ImageGrid.Write(decoded, count, steps, features, perRow, path, captions);
        else
        {
            var panels = new List<SeriesPanel>();
            for (int i = 0; i < count; i++)
            {
                var values = decoded.AsSpan(i * steps * features, steps * features).ToArray();
                if (info.Standardizer is { } scaler) values = scaler.InvertValues(values, features);
                panels.Add(new SeriesPanel(captions[i], values, values, features));
            }
            SeriesPlot.Write(panels, path);
        }
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wrote {path} ({count} sequences)"));
    }

    /// <summary>The steps to decode: --steps, else the data's own (a Fashion-MNIST image is square: 28 rows of 28, the
    /// window of a series).</summary>
    public static int Steps(int? given, DataInfo info, int? dataSteps = null) =>
        given ?? (info.IsFashionMnist ? info.Features : info.Series?.Window ?? dataSteps
            ?? throw new UsageException("--steps is needed: how many steps to decode for a model of sequences"));
}

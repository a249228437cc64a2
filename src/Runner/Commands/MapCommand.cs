using System.CommandLine;
using RecurrentAE.Model.Analysis;
using RecurrentAE.Rendering;

namespace RecurrentAE.Runner.Commands;

/// <summary><c>rae map --model DIR [--csv FILE | --npy FILE] [--out map.png]</c>: the codings projected onto their first two
/// principal components, one dot a sequence, coloured by label with a legend when there are labels.</summary>
internal static class MapCommand
{
    public static Command Create(RaeContext ctx)
    {
        var map = new ModelCommand("map", "Plot the codings in 2-D (PCA), coloured by label: the Fashion-MNIST validation images, or --csv/--npy sequences",
            "PNG file (default: <model dir>/map.png)", readsData: true);
        map.Command.SetAction(parse =>
        {
            var (_, checkpoint, sequences, description) = map.LoadWithData(parse);
            var path = map.OutputPath(parse, "map.png");
            var codes = map.Run(parse, checkpoint, m => m.Encode(sequences));
            var points = Pca.Project(codes, sequences.Count, checkpoint.Spec.CodingSize, 2);
            var names = sequences.LabelNames;
            CodingMap.Write(points, sequences.Count, sequences.Labels,
                l => names is not null && l >= 0 && l < names.Length ? names[l] : l.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"Codings of {description} (PCA)", path);
            ctx.Out.WriteLine($"Wrote {path} ({sequences.Count} sequences)");
            return RaeApp.Ok;
        });
        return map.Command;
    }
}

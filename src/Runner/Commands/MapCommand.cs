using System.CommandLine;
using RecurrentAE.Model.Analysis;
using RecurrentAE.Runner.DataSources;
using RecurrentAE.Rendering;

namespace RecurrentAE.Runner.Commands;

/// <summary><c>rae map --model DIR [--csv FILE | --npy FILE] [--out map.png]</c>: the codings projected onto their first two
/// principal components, one dot a sequence, coloured by label with a legend when there are labels.</summary>
internal static class MapCommand
{
    public static Command Create(RaeContext ctx)
    {
        var options = new ModelOptions("PNG file (default: <model dir>/map.png)");
        var data = new DataOptions();
        var command = new Command("map", "Plot the codings in 2-D (PCA), coloured by label: the Fashion-MNIST validation images, or --csv/--npy sequences");
        options.AddTo(command);
        data.AddTo(command);
        command.SetAction(parse =>
        {
            var named = data.Resolve(parse);
            var path = options.OutputPath(parse, "map.png");
            var checkpoint = Checkpoint.Load(options.ModelPath(parse));
            var (sequences, description) = ModelData.Load(named, checkpoint, "map");
            var codes = options.Run(parse, checkpoint, m => m.Encode(sequences));
            var points = Pca.Project(codes, sequences.Count, checkpoint.Spec.CodingSize, 2);
            var names = sequences.LabelNames;
            CodingMap.Write(points, sequences.Count, sequences.Labels,
                l => names is not null && l >= 0 && l < names.Length ? names[l] : l.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"Codings of {description} (PCA)", path);
            ctx.Out.WriteLine($"Wrote {path} ({sequences.Count} sequences)");
            return RaeApp.Ok;
        });
        return command;
    }
}

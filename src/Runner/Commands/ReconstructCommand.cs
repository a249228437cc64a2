using System.CommandLine;
using RecurrentAE.Runner.DataSources;
using RecurrentAE.Rendering;

namespace RecurrentAE.Runner.Commands;

/// <summary><c>rae reconstruct --model DIR [--n 5] [--out FILE.png]</c>: validation originals above their reconstructions.</summary>
internal static class ReconstructCommand
{
    public static Command Create(RaeContext ctx)
    {
        var model = CommonOptions.Model();
        var n = CommonOptions.PositiveInt("--n", 5, "Number of validation images");
        var scale = CommonOptions.PositiveInt("--scale", ReconstructionImage.DefaultScale, "Enlargement (nearest neighbour)");
        var output = new Option<string?>("--out", "-o") { Description = "PNG file (default: <model dir>/reconstructions.png)" };
        var accelerator = CommonOptions.Accelerator();
        var threads = CommonOptions.Threads();
        var data = new DataOptions();
        var command = new Command("reconstruct", "Write a PNG of validation images above their reconstructions, or of --csv/--npy sequences over theirs; a text model prints lines beside theirs (--text FILE, or its validation lines)")
        {
            model, n, scale, output, accelerator, threads,
        };
        data.AddTo(command);
        command.SetAction(parse =>
        {
            var modelPath = parse.GetValue(model)!;
            var path = parse.GetValue(output) ?? Path.Combine(CommonOptions.ModelDirectory(modelPath), "reconstructions.png");
            var named = data.Resolve(parse);
            var textCheckpoint = Checkpoint.Load(modelPath);
            if (named?.Kind == DataInfo.TextKind || textCheckpoint.Data.IsText)
                return TextRun.Reconstruct(ctx, textCheckpoint, named, parse.GetValue(n), parse.GetValue(output), parse.GetValue(accelerator)!, parse.GetValue(threads));
            var (backend, m, checkpoint) = CommonOptions.LoadModel(modelPath, parse.GetValue(accelerator)!, parse.GetValue(threads));
            using (backend)
            using (m)
            {
                if (named is { IsFashionMnist: false } || (named is null && !checkpoint.Data.IsFashionMnist))
                {
                    var (sequences, _) = ModelData.Load(named, checkpoint, "reconstruct");
                    SeriesPlot.WriteReconstructions(m, sequences, checkpoint.Data, parse.GetValue(n), path);
                    ctx.Out.WriteLine($"Wrote {path}");
                    return RaeApp.Ok;
                }
                var dataset = ModelData.LoadImages(named?.Path, checkpoint, includeTest: false);
                int count = Math.Min(parse.GetValue(n), dataset.Validation.Count);
                ReconstructionImage.Write(m, dataset.Validation, count, path, parse.GetValue(scale));
            }
            ctx.Out.WriteLine($"Wrote {path}");
            return RaeApp.Ok;
        });
        return command;
    }
}

using System.CommandLine;
using RecurrentAE.Model.Checkpoints;
using RecurrentAE.Model.Data;
using RecurrentAE.Runner.Data;
using RecurrentAE.Runner.Rendering;

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
        var data = CommonOptions.Data();
        var text = new DataOptions().Text;
        var command = new Command("reconstruct", "Write a PNG of validation images above their reconstructions; a text model prints lines beside theirs (--text FILE, or its validation lines)")
        {
            model, n, scale, output, accelerator, threads, data, text,
        };
        command.SetAction(parse =>
        {
            var modelPath = parse.GetValue(model)!;
            var textPath = parse.GetValue(text);
            var checkpoint = Checkpoint.Load(modelPath);
            if (textPath is not null || checkpoint.Data.IsText)
                return TextRun.Reconstruct(ctx, checkpoint, textPath is null ? null : new DataSource(DataInfo.TextKind, textPath, null),
                    parse.GetValue(n), parse.GetValue(output), parse.GetValue(accelerator)!, parse.GetValue(threads));
            var path = parse.GetValue(output) ?? Path.Combine(CommonOptions.ModelDirectory(modelPath), "reconstructions.png");
            var (backend, m, _) = CommonOptions.LoadModel(modelPath, parse.GetValue(accelerator)!, parse.GetValue(threads));
            using (backend)
            using (m)
            {
                var dataset = FashionMnist.Load(parse.GetValue(data), includeTest: false);
                int count = Math.Min(parse.GetValue(n), dataset.Validation.Count);
                ReconstructionImage.Write(m, dataset.Validation, count, path, parse.GetValue(scale));
            }
            ctx.Out.WriteLine($"Wrote {path}");
            return RaeApp.Ok;
        });
        return command;
    }
}

using System.CommandLine;
using RecurrentAE.Model.Generation;
using RecurrentAE.Runner.Output;

namespace RecurrentAE.Runner.Commands;

/// <summary><c>rae sample --model DIR [--n 16] [--out FILE.png]</c>: a variational model's decodings of codings drawn from
/// its prior N(0, I).</summary>
internal static class SampleCommand
{
    public static Command Create(RaeContext ctx)
    {
        var n = CommonOptions.PositiveInt("--n", 16, "Number of samples");
        var seed = new Option<int>("--seed") { Description = "Seed of the codings drawn (default 0)", DefaultValueFactory = _ => 0 };
        var steps = new Option<int?>("--steps") { Description = "Steps to decode (default: 28 for Fashion-MNIST, the window of a series model, 60 for text)" };
        steps.Validators.Add(r => { if (CommonOptions.TryValue<int?>(r, out var v) && v is < 1) r.AddError("--steps must be at least 1"); });
        var perRow = CommonOptions.PositiveInt("--per-row", 8, "Images a row of the grid (Fashion-MNIST)");
        var sample = new ModelCommand("sample", "Decode codings drawn from N(0, I) with a variational model (rae train --variational): Fashion-MNIST images, series plots or lines of text",
            "Output file: a PNG, or for a text model a text file (default: <model dir>/samples.png or samples.txt)", readsData: false, n, seed, steps, perRow);
        sample.Command.SetAction(parse =>
        {
            var modelPath = sample.ModelPath(parse);
            var checkpoint = sample.LoadCheckpoint(parse);
            if (checkpoint.Spec.Coding != CodingKind.Variational)
                throw new UsageException($"{modelPath}: rae sample needs a variational model (train one with 'rae train --variational')");
            var info = checkpoint.Data;
            int count = parse.GetValue(n);
            int length = GeneratedSequences.Steps(parse.GetValue(steps), info, info.IsText ? 60 : null);
            var path = sample.OutputPath(parse, info.IsText ? "samples.txt" : "samples.png");
            var codes = LatentCodes.Normal(count, checkpoint.Spec.CodingSize, parse.GetValue(seed));
            var decoded = sample.Run(parse, checkpoint, m => m.Decode(codes, count, length));
            var captions = Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"sample {i}")).ToArray();
            GeneratedSequences.Write(ctx.Out, info, decoded, count, length, parse.GetValue(perRow), path, captions);
            return RaeApp.Ok;
        });
        return sample.Command;
    }
}

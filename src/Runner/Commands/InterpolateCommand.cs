using System.CommandLine;
using RecurrentAE.Model.Generation;
using RecurrentAE.Runner.Output;

namespace RecurrentAE.Runner.Commands;

/// <summary><c>rae interpolate --model DIR --from I --to J [--steps K] [--out FILE.png]</c>: a variational model's decodings
/// of the codings on the line between two validation items' (mean) codings.</summary>
internal static class InterpolateCommand
{
    public static Command Create(RaeContext ctx)
    {
        var from = new Option<int>("--from") { Description = "Index of the first validation item (or sequence of --csv/--npy)", Required = true };
        var to = new Option<int>("--to") { Description = "Index of the last one", Required = true };
        var steps = CommonOptions.PositiveInt("--steps", 8, "Codings on the line, both ends included (at least 2)");
        var interpolate = new ModelCommand("interpolate", "Decode the codings on the line between two validation items' codings with a variational model (rae train --variational)",
            "PNG file (default: <model dir>/interpolation.png)", readsData: true, from, to, steps);
        interpolate.Command.SetAction(parse =>
        {
            var modelPath = interpolate.ModelPath(parse);
            var checkpoint = interpolate.LoadCheckpoint(parse);
            if (checkpoint.Spec.Coding != CodingKind.Variational)
                throw new UsageException($"{modelPath}: rae interpolate needs a variational model (train one with 'rae train --variational')");
            if (checkpoint.Data.IsText) throw new UsageException("rae interpolate draws images and series; for a text model use 'rae sample'");
            int k = parse.GetValue(steps);
            if (k < 2) throw new UsageException($"--steps must be at least 2 (both ends), not {k}");
            var (sequences, _) = interpolate.LoadData(parse, checkpoint);
            int i = parse.GetValue(from), j = parse.GetValue(to);
            foreach (var (flag, index) in new[] { ("--from", i), ("--to", j) })
                if (index < 0 || index >= sequences.Count)
                    throw new UsageException($"{flag} {index} is outside the {sequences.Count} sequences (0..{sequences.Count - 1})");
            var path = interpolate.OutputPath(parse, "interpolation.png");
            int length = Math.Max(sequences.LengthOf(i), sequences.LengthOf(j)), size = checkpoint.Spec.CodingSize;
            var decoded = interpolate.Run(parse, checkpoint, m =>
            {
                var ends = m.Encode(Pick(sequences, i, j));
                return m.Decode(LatentCodes.Line(ends.AsSpan(0, size), ends.AsSpan(size, size), k), k, length);
            });
            var captions = Enumerable.Range(0, k).Select(s => s == 0 ? $"#{i}" : s == k - 1 ? $"#{j}" : string.Create(CultureInfo.InvariantCulture, $"{s / (double)(k - 1):0.##}")).ToArray();
            GeneratedSequences.Write(ctx.Out, checkpoint.Data, decoded, k, length, k, path, captions);
            return RaeApp.Ok;
        });
        return interpolate.Command;
    }

    static SequenceDataset Pick(SequenceDataset data, int i, int j) =>
        SequenceDataset.FromRagged([data.Sequence(i)[..(data.LengthOf(i) * data.Features)].ToArray(), data.Sequence(j)[..(data.LengthOf(j) * data.Features)].ToArray()], data.Features);
}

using System.CommandLine;
using System.Text;
using RecurrentAE.Model.Distributed;
using RecurrentAE.Model.IO;

namespace RecurrentAE.Runner.Commands;

/// <summary><c>rae encode --model DIR [--csv FILE | --npy FILE] [--out codings.csv]</c>: every sequence's coding, with its
/// label when there are labels (default data: the Fashion-MNIST validation images, or the file the model was trained on).</summary>
internal static class EncodeCommand
{
    public static Command Create(RaeContext ctx)
    {
        var encode = new ModelCommand("encode", "Write the coding of every validation image, or of every sequence of --csv/--npy ([label,]c0,...), as CSV",
            "CSV file (default: <model dir>/codings.csv)", readsData: true);
        encode.Command.SetAction(parse =>
        {
            var (named, checkpoint, sequences, _) = encode.LoadWithData(parse);
            var path = encode.OutputPath(parse, "codings.csv");
            // under mpirun: split across the ranks
            var codes = encode.Run(parse, checkpoint, m => DataParallelInference.Encode(m, sequences, ctx.World));
            if (ctx.World.Rank != 0) return RaeApp.Ok;

            int coding = checkpoint.Spec.CodingSize;
            // Fashion-MNIST keeps its numeric class labels; file labels are written as they were read.
            bool fashion = named is null ? checkpoint.Data.IsFashionMnist : named.IsFashionMnist;
            bool labels = sequences.Labels is not null;
            var sb = new StringBuilder(labels || fashion ? "label" : "");
            for (int c = 0; c < coding; c++) sb.Append(c == 0 && !(labels || fashion) ? "" : ",").Append(CultureInfo.InvariantCulture, $"c{c}");
            sb.Append('\n');
            for (int i = 0; i < sequences.Count; i++)
            {
                if (labels || fashion)
                    sb.Append(fashion ? sequences.Labels?[i].ToString(CultureInfo.InvariantCulture) : sequences.LabelText(i)).Append(',');
                for (int c = 0; c < coding; c++)
                    sb.Append(c == 0 ? "" : ",").Append(codes[i * coding + c].ToString("R", CultureInfo.InvariantCulture));
                sb.Append('\n');
            }
            AtomicFile.WriteAllText(path, sb.ToString());
            ctx.Out.WriteLine($"Wrote {path} ({sequences.Count} codings)");
            return RaeApp.Ok;
        });
        return encode.Command;
    }
}

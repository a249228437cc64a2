using System.CommandLine;
using System.Globalization;
using System.Text;
using RecurrentAE.Model.Data;
using RecurrentAE.Model.IO;

namespace RecurrentAE.Runner.Commands;

/// <summary><c>rae encode --model DIR [--out codings.csv]</c>: every validation image's coding with its label.</summary>
internal static class EncodeCommand
{
    public static Command Create(RaeContext ctx)
    {
        var model = CommonOptions.Model();
        var output = new Option<string?>("--out", "-o") { Description = "CSV file (default: <model dir>/codings.csv)" };
        var accelerator = CommonOptions.Accelerator();
        var threads = CommonOptions.Threads();
        var data = CommonOptions.Data();
        var command = new Command("encode", "Write the coding of every validation image (label,c0,...) as CSV") { model, output, accelerator, threads, data };
        command.SetAction(parse =>
        {
            var modelPath = parse.GetValue(model)!;
            var path = parse.GetValue(output) ?? Path.Combine(CommonOptions.ModelDirectory(modelPath), "codings.csv");
            var (backend, m, _) = CommonOptions.LoadModel(modelPath, parse.GetValue(accelerator)!, parse.GetValue(threads));
            int written;
            using (backend)
            using (m)
            {
                var valid = FashionMnist.Load(parse.GetValue(data), includeTest: false).Validation;
                written = valid.Count;
                int coding = m.Spec.CodingSize, n = valid.Steps * valid.Features;
                var sb = new StringBuilder("label");
                for (int c = 0; c < coding; c++) sb.Append(CultureInfo.InvariantCulture, $",c{c}");
                sb.Append('\n');
                const int chunk = 256;
                for (int start = 0; start < valid.Count; start += chunk)
                {
                    int count = Math.Min(chunk, valid.Count - start);
                    var codes = m.Encode(valid.Values.AsSpan(start * n, count * n), count, valid.Steps);
                    for (int i = 0; i < count; i++)
                    {
                        sb.Append(valid.Labels is { } l ? l[start + i].ToString(CultureInfo.InvariantCulture) : "");
                        for (int c = 0; c < coding; c++) sb.Append(CultureInfo.InvariantCulture, $",{codes[i * coding + c]:R}");
                        sb.Append('\n');
                    }
                }
                AtomicFile.WriteAllText(path, sb.ToString());
            }
            ctx.Out.WriteLine($"Wrote {path} ({written} codings)");
            return RaeApp.Ok;
        });
        return command;
    }
}

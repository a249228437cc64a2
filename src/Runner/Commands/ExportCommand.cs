using System.CommandLine;
using RecurrentAE.Model.Export;

namespace RecurrentAE.Runner.Commands;

/// <summary><c>rae export --model DIR --out model.onnx [--part autoencoder|encoder|decoder] [--lengths]</c>: the model as an ONNX graph.</summary>
internal static class ExportCommand
{
    public static Command Create(RaeContext ctx)
    {
        var model = CommonOptions.Model();
        var output = new Option<string>("--out", "-o") { Description = "The ONNX file to write", Required = true };
        var part = new Option<string>("--part")
        {
            Description = "autoencoder: input [batch, steps, features] -> reconstruction; encoder: input -> coding [batch, coding]; " +
                "decoder: coding and steps (int64) -> reconstruction. A teacher-forced (text) model exports encoder, and decoder as " +
                "one step (coding, previous output, state_h.L/state_c.L -> output, next_state_h.L/next_state_c.L), not autoencoder",
            DefaultValueFactory = _ => "autoencoder",
        };
        part.AcceptOnlyFromAmong([.. Enum.GetValues<OnnxPart>().Select(OnnxExport.Name)]);
        var lengths = new Option<bool>("--lengths")
        {
            Description = "Add an input 'lengths' [batch] int32 to the autoencoder and encoder graphs: each sequence's own number of steps, the rest of its row padding",
        };
        var command = new Command("export",
            $"Write a trained model as an ONNX graph (opset {OnnxExport.Opset}, ONNX LSTM nodes) that takes the raw values rae reads " +
            "(standardisation and decode order inside the graph) and returns what rae reconstructs and encodes")
        {
            model, output, part, lengths,
        };
        command.SetAction(parse =>
        {
            var checkpoint = Checkpoint.Load(parse.GetValue(model)!);
            var path = parse.GetValue(output)!;
            var chosen = Enum.Parse<OnnxPart>(parse.GetValue(part)!, ignoreCase: true);
            var options = new OnnxExportOptions(chosen, parse.GetValue(lengths));
            byte[] bytes;
            try { bytes = OnnxExport.ToBytes(checkpoint, options); }
            catch (NotSupportedException e) { throw new UsageException(e.Message); }
            var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
            if (!Directory.Exists(folder)) throw new UsageException($"cannot write {path}: the folder {folder} does not exist (create it or choose another --out)");
            if (Directory.Exists(path)) throw new UsageException($"cannot write {path}: it is a folder (give --out a file name such as model.onnx)");
            try { Model.IO.AtomicFile.WriteAllBytes(path, bytes); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"cannot write {path}: {RaeApp.OneLine(e.Message)} (choose a writable --out)");
            }
            ctx.Out.WriteLine($"Wrote {path} ({OnnxExport.Name(chosen)}{(checkpoint.Spec.TeacherForcing && chosen == OnnxPart.Decoder ? ", one step" : "")}" +
                $"{(options.Lengths && chosen != OnnxPart.Decoder ? ", with lengths" : "")}, {bytes.Length:N0} bytes)");
            return RaeApp.Ok;
        });
        return command;
    }
}

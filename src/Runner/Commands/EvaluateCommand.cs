using System.CommandLine;
using System.Globalization;
using RecurrentAE.Model.Checkpoints;
using RecurrentAE.Model.Data;
using RecurrentAE.Runner.Data;

namespace RecurrentAE.Runner.Commands;

/// <summary><c>rae evaluate --model DIR</c>: mean binary cross-entropy on the validation set (and the t10k test set when present).</summary>
internal static class EvaluateCommand
{
    public static Command Create(RaeContext ctx)
    {
        var model = CommonOptions.Model();
        var batch = CommonOptions.PositiveInt("--batch-size", 256, "Evaluation batch size");
        var accelerator = CommonOptions.Accelerator();
        var threads = CommonOptions.Threads();
        var data = CommonOptions.Data();
        var text = new DataOptions().Text;
        var command = new Command("evaluate", "Print the validation (and test) loss of a trained model; a text model also its per-character accuracy") { model, batch, accelerator, threads, data, text };
        command.SetAction(parse =>
        {
            int batchSize = parse.GetValue(batch);
            var textPath = parse.GetValue(text);
            var checkpoint = Checkpoint.Load(parse.GetValue(model)!);
            if (textPath is not null || checkpoint.Data.IsText)
                return TextRun.Evaluate(ctx, checkpoint, textPath is null ? null : new DataSource(DataInfo.TextKind, textPath, null),
                    batchSize, parse.GetValue(accelerator)!, parse.GetValue(threads));
            var (backend, m, _) = CommonOptions.LoadModel(parse.GetValue(model)!, parse.GetValue(accelerator)!, parse.GetValue(threads), batchSize);
            using (backend)
            using (m)
            {
                var dataset = FashionMnist.Load(parse.GetValue(data));
                using (var valid = m.Upload(dataset.Validation))
                    ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"val_loss: {m.Evaluate(valid, batchSize):F6}"));
                if (dataset.Test is not null)
                {
                    using var test = m.Upload(dataset.Test);
                    ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test_loss: {m.Evaluate(test, batchSize):F6}"));
                }
            }
            return RaeApp.Ok;
        });
        return command;
    }
}

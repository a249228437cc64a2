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
        var data = new DataOptions();
        var command = new Command("evaluate", "Print the validation (and test) loss of a trained model, or its loss on --csv/--npy sequences; a text model also its per-character accuracy") { model, batch, accelerator, threads };
        data.AddTo(command);
        command.SetAction(parse =>
        {
            int batchSize = parse.GetValue(batch);
            var named = data.Resolve(parse);
            var textCheckpoint = Checkpoint.Load(parse.GetValue(model)!);
            if (named?.Kind == DataInfo.TextKind || textCheckpoint.Data.IsText)
                return TextRun.Evaluate(ctx, textCheckpoint, named, batchSize, parse.GetValue(accelerator)!, parse.GetValue(threads));
            var (backend, m, checkpoint) = CommonOptions.LoadModel(parse.GetValue(model)!, parse.GetValue(accelerator)!, parse.GetValue(threads), batchSize);
            using (backend)
            using (m)
            {
                if (named is { IsFashionMnist: false } || (named is null && !checkpoint.Data.IsFashionMnist))
                {
                    var (sequences, description) = ModelData.Load(named, checkpoint, "evaluate");
                    using var device = m.Upload(sequences);
                    ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loss: {m.Evaluate(device, batchSize):F6} ({description})"));
                    return RaeApp.Ok;
                }
                var dataset = FashionMnist.Load(named?.Path);
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

using System.CommandLine;
using System.Text;
using RecurrentAE.Model.IO;
using RecurrentAE.Model.Text;
using RecurrentAE.Runner.DataSources;

namespace RecurrentAE.Runner.Commands;

/// <summary>The text model's side of train, reconstruct and evaluate: lines beside their greedy reconstructions, and
/// per-character accuracy (argmax = the input's character, over each line's own length).</summary>
internal static class TextRun
{
    /// <summary>After <c>rae train --text</c>: five validation lines beside their reconstructions on the console, the
    /// validation accuracy, and every validation line with its reconstruction in reconstructions.txt.</summary>
    public static void Finish(TextWriter o, RecurrentAutoencoder model, TrainingData dataset, string outDir)
    {
        var vocabulary = dataset.Info.Vocabulary!;
        var data = dataset.Valid.Count > 0 ? dataset.Valid : dataset.Train;
        var lines = OneHot.DecodeAll(data.Values, data, vocabulary);
        o.WriteLine($"{(dataset.Valid.Count > 0 ? "Validation" : "Training")} lines and their reconstructions:");
        TextData.WriteReconstructions(o, model, data, lines, vocabulary, 5);
        var all = new StringWriter();
        TextData.WriteReconstructions(all, model, data, lines, vocabulary, data.Count);
        AtomicFile.WriteAllText(Path.Combine(outDir, "reconstructions.txt"), all.ToString());
    }

    /// <summary><c>rae reconstruct --model DIR [--text FILE] [--n N] [--out FILE]</c> on a text model.</summary>
    public static int Reconstruct(RaeContext ctx, Checkpoint checkpoint, DataSource? named, int n, string? outPath, string accelerator, int threads)
    {
        var (data, corpus, description) = TextData.ForCommand(named, checkpoint, "reconstruct");
        using var backend = CommonOptions.CreateBackend(accelerator, threads);
        using var model = checkpoint.CreateModel(backend);
        ctx.Out.WriteLine($"{Math.Min(n, data.Count)} of {description} beside their reconstructions:");
        double accuracy = TextData.WriteReconstructions(ctx.Out, model, data, corpus.Lines, checkpoint.Data.Vocabulary!, n);
        if (outPath is not null)
        {
            var all = new StringWriter();
            TextData.WriteReconstructions(all, model, data, corpus.Lines, checkpoint.Data.Vocabulary!, data.Count);
            AtomicFile.WriteAllText(outPath, all.ToString());
            ctx.Out.WriteLine($"Wrote {outPath}");
        }
        return double.IsNaN(accuracy) ? RaeApp.Failure : RaeApp.Ok;
    }

    /// <summary><c>rae evaluate --model DIR [--text FILE]</c> on a text model: the loss (mean cross-entropy a character) and
    /// the per-character accuracy.</summary>
    public static int Evaluate(RaeContext ctx, Checkpoint checkpoint, DataSource? named, int batchSize, string accelerator, int threads)
    {
        var (data, _, description) = TextData.ForCommand(named, checkpoint, "evaluate");
        using var backend = CommonOptions.CreateBackend(accelerator, threads);
        using var model = checkpoint.CreateModel(backend, batchSize);
        double loss;
        using (var device = model.Upload(data)) loss = model.Evaluate(device, batchSize);
        var (correct, total) = OneHot.CountCorrect(model.Reconstruct(data), data);
        string name = named is null ? "val" : "text";
        ctx.Out.WriteLine($"On {description}:");
        ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}_loss: {loss:F6}"));
        ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}_accuracy: {(double)correct / total:F6} ({correct:N0} of {total:N0} characters)"));
        return RaeApp.Ok;
    }
}

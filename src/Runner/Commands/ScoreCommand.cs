using System.CommandLine;
using System.Globalization;
using System.Text;
using RecurrentAE.Model;
using RecurrentAE.Model.Checkpoints;
using RecurrentAE.Model.Data;
using RecurrentAE.Model.IO;
using RecurrentAE.Runner.Data;

namespace RecurrentAE.Runner.Commands;

/// <summary>
/// <c>rae score --model DIR (--csv FILE [--features D] | --npy FILE) [--out scores.csv]</c>: each sequence's reconstruction
/// error (the mean loss over its own steps and features, in the space the model was trained in), in input order, and
/// whether it exceeds the anomaly threshold stored at the end of training (the 99th percentile of the training errors).
/// </summary>
internal static class ScoreCommand
{
    public const string Header = "index,label,error,anomaly";

    public static Command Create(RaeContext ctx)
    {
        var model = CommonOptions.Model();
        var output = new Option<string?>("--out", "-o") { Description = "CSV file: index,[label,]error,anomaly (default: <model dir>/scores.csv)" };
        var accelerator = CommonOptions.Accelerator();
        var threads = CommonOptions.Threads();
        var data = new DataOptions();
        var series = new SeriesOptions();
        var command = new Command("score", "Reconstruction error and anomaly flag of every sequence of a CSV/NPY file, or of every row of a long --series") { model, output, accelerator, threads };
        data.AddTo(command);
        series.AddTo(command, training: false);
        command.SetAction(parse =>
        {
            var modelPath = parse.GetValue(model)!;
            var named = series.Apply(data.Resolve(parse), parse, training: false);
            var checkpoint = Checkpoint.Load(modelPath);
            if (named?.Kind == DataInfo.SeriesKind || (named is null && checkpoint.Data.IsSeries))
                return SeriesScoreRun.Run(ctx, checkpoint, DataOptions.ForModel(named, checkpoint.Data, "score"),
                    parse.GetValue(output) ?? Path.Combine(CommonOptions.ModelDirectory(modelPath), "scores.csv"),
                    parse.GetValue(accelerator)!, parse.GetValue(threads));
            if (named is { IsFashionMnist: true } || (named is null && checkpoint.Data.IsFashionMnist))
                throw new UsageException("'score' reads sequences from --csv FILE or --npy FILE");
            var threshold = checkpoint.Data.Threshold
                ?? throw new UsageException(checkpoint.Data.IsFashionMnist
                    ? $"{checkpoint.Path} was trained on Fashion-MNIST and holds no anomaly threshold; score with a model trained with --csv or --npy"
                    : $"{checkpoint.Path} holds no anomaly threshold (training did not finish; complete it with 'rae train --resume {CommonOptions.ModelDirectory(modelPath)}')");
            var (sequences, description) = ModelData.Load(named, checkpoint, "score");
            var path = parse.GetValue(output) ?? Path.Combine(CommonOptions.ModelDirectory(modelPath), "scores.csv");

            double[] errors;
            using (var backend = CommonOptions.CreateBackend(parse.GetValue(accelerator)!, parse.GetValue(threads)))
            using (var m = checkpoint.CreateModel(backend))
                errors = m.SequenceErrors(sequences);

            int flagged = errors.Count(e => e > threshold);
            AtomicFile.WriteAllText(path, ToCsv(sequences, errors, threshold));
            ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Scored {description}: threshold {threshold:G6} (99th percentile of the training errors); {flagged} of {errors.Length} flagged as anomalies"));
            ctx.Out.WriteLine($"Wrote {path}");
            return RaeApp.Ok;
        });
        return command;
    }

    internal static string ToCsv(SequenceDataset data, IReadOnlyList<double> errors, double threshold)
    {
        bool labels = data.Labels is not null;
        var sb = new StringBuilder(labels ? Header : "index,error,anomaly").Append('\n');
        for (int i = 0; i < errors.Count; i++)
        {
            sb.Append(i.ToString(CultureInfo.InvariantCulture)).Append(',');
            if (labels) sb.Append(data.LabelText(i)).Append(',');
            sb.Append(errors[i].ToString("R", CultureInfo.InvariantCulture)).Append(',').Append(errors[i] > threshold ? "1" : "0").Append('\n');
        }
        return sb.ToString();
    }
}

using System.CommandLine;
using System.Text;
using RecurrentAE.Model.Distributed;
using RecurrentAE.Model.IO;
using RecurrentAE.Runner.DataSources;
using RecurrentAE.Runner.Output;

namespace RecurrentAE.Runner.Commands;

/// <summary>
/// <c>rae score --model DIR (--csv FILE [--features D] | --npy FILE | --text FILE) [--out scores.csv] [--per-step FILE]
/// [--score mean|max|topk] [--smooth K] [--top-k K]</c>: each sequence's score, in input order, and whether it exceeds the
/// anomaly threshold. The score comes from the sequence's per-step reconstruction errors (the loss at each step, in the
/// space the model was trained in), smoothed by a centred moving average and reduced by the rule (see
/// <see cref="ScoreRuleOptions"/>); the threshold is the 99th percentile of the training sequences' scores under the same
/// rule (<see cref="ScoreThreshold"/>).
/// </summary>
internal static class ScoreCommand
{
    public const string Header = "index,label,error,anomaly";

    public static Command Create(RaeContext ctx)
    {
        var model = CommonOptions.Model();
        var output = new Option<string?>("--out", "-o") { Description = "CSV file: index,[label,]error,anomaly, error being the sequence's score (default: <model dir>/scores.csv)" };
        var perStep = new Option<string?>("--per-step") { Description = $"Also write every step's error to this CSV, long format: {PerStepCsv.Header} (one row per step of each sequence's own length; smoothed: after --smooth)" };
        var accelerator = CommonOptions.Accelerator();
        var threads = CommonOptions.Threads();
        var data = new DataOptions();
        var series = new SeriesOptions();
        var rule = new ScoreRuleOptions();
        var command = new Command("score", "Anomaly score and flag of every sequence of a CSV/NPY/text file, from its per-step reconstruction errors, or of every row of a long --series") { model, output, perStep, accelerator, threads };
        data.AddTo(command);
        series.AddTo(command, training: false);
        rule.AddTo(command);
        command.SetAction(parse =>
        {
            var modelPath = parse.GetValue(model)!;
            var named = series.Apply(data.Resolve(parse), parse, training: false);
            var checkpoint = Checkpoint.Load(modelPath);
            if (named?.Kind == DataInfo.SeriesKind || (named is null && checkpoint.Data.IsSeries))
                return ctx.World.Rank != 0 ? RaeApp.Ok // a series is scored by rank 0 alone
                    : SeriesScoreRun.Run(ctx, checkpoint, DataOptions.ForModel(named, checkpoint.Data, "score"),
                    parse.GetValue(output) ?? Path.Combine(CommonOptions.ModelDirectory(modelPath), "scores.csv"),
                    parse.GetValue(accelerator)!, parse.GetValue(threads));
            if (named is { IsFashionMnist: true } || (named is null && checkpoint.Data.IsFashionMnist))
                throw new UsageException("'score' reads sequences from --csv FILE, --npy FILE or --text FILE");
            ScoreThreshold.Stored(checkpoint); // a model without a threshold is a one-line error before any work
            var chosen = rule.Resolve(parse, checkpoint.Data.ScoreRule);
            var (sequences, description) = ModelData.Load(named, checkpoint, "score");
            var path = parse.GetValue(output) ?? Path.Combine(CommonOptions.ModelDirectory(modelPath), "scores.csv");

            float[] steps;
            double threshold = double.NaN;
            string origin = "";
            using (var backend = CommonOptions.CreateBackend(parse.GetValue(accelerator)!, parse.GetValue(threads)))
            using (var m = checkpoint.CreateModel(backend))
            {
                if (ctx.World.Rank == 0) (threshold, origin) = ScoreThreshold.For(checkpoint, m, chosen, "score");
                // under mpirun: the sequences split across the ranks, gathered in input order; rank 0 writes
                steps = DataParallelInference.StepErrors(m, sequences, ctx.World);
            }
            if (ctx.World.Rank != 0) return RaeApp.Ok;
            var scores = chosen.Of(steps, sequences);

            int flagged = scores.Count(e => e > threshold);
            AtomicFile.WriteAllText(path, ToCsv(sequences, scores, threshold));
            if (parse.GetValue(perStep) is string stepPath) PerStepCsv.Write(stepPath, sequences, steps, chosen);
            ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Scored {description} with {chosen}: threshold {threshold:G6} ({origin}); {flagged} of {scores.Length} flagged as anomalies"));
            ctx.Out.WriteLine($"Wrote {path}{(parse.GetValue(perStep) is string p ? $" and {p}" : "")}");
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

// The anomaly benchmark: generated series of many kinds crossed with anomaly kinds, scored by the autoencoder (trained
// as 'rae train --csv' trains, through the library) under several sequence-score rules, beside two simple baselines
// (a rolling z-score and a nearest-neighbour window distance) on the same data in the same run.
//   dotnet run -c Release --project bench/anomaly [-- --quick | --full] [--epochs N] [--out FILE] [--seed S] [--threads T] [--families a,b] [--lr X] [--batch-size B]
// Prints a markdown table and writes it to --out (default anomaly-bench.md). See docs/anomaly-benchmark.md.
using System.Diagnostics;
using System.Globalization;
using RecurrentAE.Bench.Anomaly;
using RecurrentAE.Kernels;
using RecurrentAE.Model;
using RecurrentAE.Model.Analysis;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var settings = BenchSettings.Parse(args);
if (settings is null) return 2;

var rules = new[]
{
    SequenceScore.PlainMean,
    new SequenceScore(ScoreKind.Mean, 5),
    new SequenceScore(ScoreKind.Max, 1),
    new SequenceScore(ScoreKind.Max, 3),
    new SequenceScore(ScoreKind.Max, 5),
    new SequenceScore(ScoreKind.Max, 9),
    new SequenceScore(ScoreKind.Max, 15),
    new SequenceScore(ScoreKind.Max, 25),
    new SequenceScore(ScoreKind.TopK, 1, 5),
    new SequenceScore(ScoreKind.TopK, 1, 10),
    new SequenceScore(ScoreKind.TopK, 3, 10),
    new SequenceScore(ScoreKind.TopK, 5, 10),
    new SequenceScore(ScoreKind.TopK, 9, 10),
    new SequenceScore(ScoreKind.TopK, 9, 20),
    new SequenceScore(ScoreKind.TopK, 15, 20),
    new SequenceScore(ScoreKind.TopK, 25, 30),
};
var results = new List<CellResult>();
var notes = new List<string>();
var total = Stopwatch.StartNew();
using var backend = BackendFactory.Create("cpu", threads: settings.Threads);
Console.WriteLine($"Anomaly benchmark ({(settings.Full ? "full" : "quick")}): {settings.Families.Count} families x {Generator.Kinds.Length} anomaly kinds; " +
    $"{settings.TrainCount} training series a family, {settings.NormalCount} normal + {settings.AnomalyCount} anomalous test series a cell; {settings.EpochsText} epochs, batch {settings.BatchSize?.ToString() ?? "32 (default)"}, lr {settings.LearningRate?.ToString() ?? "the --csv default"}; {backend.Description}");

for (int fi = 0; fi < settings.Families.Count; fi++)
{
    var family = settings.Families[fi];
    var random = new Random(settings.Seed * 1000 + fi);
    var train = Sets.Of(Enumerable.Range(0, settings.TrainCount).Select(_ => Generator.Normal(family, random)), family.Features);
    var normals = Enumerable.Range(0, settings.NormalCount).Select(_ => Generator.Normal(family, random)).ToList();
    var anomalies = Generator.Kinds.ToDictionary(k => k,
        k => Enumerable.Range(0, settings.AnomalyCount).Select(_ => Generator.Inject(Generator.Normal(family, random), k, random)).ToList());
    var testSeries = normals.Concat(Generator.Kinds.SelectMany(k => anomalies[k])).ToList();
    var kindOf = Enumerable.Repeat("normal", normals.Count).Concat(Generator.Kinds.SelectMany(k => Enumerable.Repeat(k, settings.AnomalyCount))).ToArray();

    var trained = Training.Train(backend, train, settings.Epochs, settings.LearningRate, settings.BatchSize);
    using var model = trained.Model;
    var test = trained.Scaler.Apply(Sets.Of(testSeries, family.Features));
    var clock = Stopwatch.StartNew();
    var steps = model.StepErrors(test);
    var ruleScores = rules.Select(rule => rule.Of(steps, test)).ToArray();
    var z = Baselines.RollingZ(test);
    var nn = Baselines.NearestNeighbour(trained.Scaler.Apply(train), test);
    notes.Add($"{family.Name}: trained {trained.Epochs} epochs in {trained.Seconds:F0} s, ended on epoch {trained.BestEpoch}'s weights (loss {trained.Loss:F4}, val_loss {trained.ValLoss:F4}); scoring and baselines {clock.Elapsed.TotalSeconds:F0} s");
    Console.WriteLine("  " + notes[^1]);

    foreach (var kind in Generator.Kinds)
    {
        var idx = Enumerable.Range(0, kindOf.Length).Where(i => kindOf[i] == "normal" || kindOf[i] == kind).ToArray();
        var truth = idx.Select(i => kindOf[i] == kind).ToArray();
        Metric M(double[] s) { var sub = idx.Select(i => s[i]).ToArray(); return new(AnomalyStatistics.RocAuc(sub, truth), AnomalyStatistics.AveragePrecision(sub, truth)); }
        results.Add(new CellResult(family, kind, [.. ruleScores.Select(M)], M(z), M(nn)));
    }
}

var report = Report.Markdown(settings, rules, results, notes, total.Elapsed);
Console.WriteLine();
Console.WriteLine(report);
File.WriteAllText(settings.Out, report);
Console.WriteLine($"Wrote {settings.Out}");
return 0;

/// <summary>ROC-AUC and average precision (PR-AUC) of one detector on one cell.</summary>
internal readonly record struct Metric(double Roc, double Pr);

/// <summary>One family x anomaly kind: the autoencoder under each rule, and the two baselines.</summary>
internal sealed record CellResult(Family Family, string Kind, Metric[] Rules, Metric RollingZ, Metric Neighbour);

internal static class Sets
{
    public static SequenceDataset Of(IEnumerable<Series> series, int features) =>
        SequenceDataset.FromRagged([.. series.Select(s => s.ToValues())], features);
}

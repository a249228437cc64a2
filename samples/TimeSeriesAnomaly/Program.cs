// Anomaly detection on time series with the RecurrentAE library's public API (RecurrentAE.Model, RecurrentAE.Rendering):
//   dotnet run -c Release --project samples/TimeSeriesAnomaly [-- OUT_DIR [EPOCHS]]
// 1. writes OUT_DIR/train.csv (noisy periodic series: sine, square, sawtooth, triangle; random phase and amplitude,
//    period 18-22 steps; 40-120 steps) and OUT_DIR/test.csv (held-out normal series mixed with spikes, level shifts and frequency
//    changes; the label column says which),
// 2. trains with exactly what 'rae train --csv OUT_DIR/train.csv --encoder 32,8 --decoder 32 --epochs 100 --lr 0.005
//    --batch-size 8 --out OUT_DIR/run' runs (mse head on data standardised per feature, the decoder emitting each series
//    back to front, the anomaly threshold = 99th percentile of the training series' scores, stored in the checkpoint
//    with its score rule; about 30 s on 2 cores with the SIMD CPU backend),
// 3. scores test.csv with what 'rae score --model OUT_DIR/run --csv OUT_DIR/test.csv' runs (a series' score: the mean of
//    its 30 largest per-step errors after a 25-step moving average, the default rule; docs/anomaly-scoring.md),
// 4. prints precision/recall at the stored threshold and the ROC-AUC, and writes OUT_DIR/series.png: a normal series and
//    one of each anomaly over their reconstructions.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using RecurrentAE.Kernels;
using RecurrentAE.Model;
using RecurrentAE.Model.Analysis;
using RecurrentAE.Model.Checkpoints;
using RecurrentAE.Model.Data;
using RecurrentAE.Model.Training;
using RecurrentAE.Rendering;

string outDir = args.Length > 0 ? args[0] : "time-series-anomaly";
string epochs = args.Length > 1 ? args[1] : "100";
Directory.CreateDirectory(outDir);
string trainCsv = Path.Combine(outDir, "train.csv"), testCsv = Path.Combine(outDir, "test.csv");
string run = Path.Combine(outDir, "run");

var random = new Random(7);
var train = new StringBuilder("label,values\n");
for (int i = 0; i < 800; i++)
{
    var (shape, values) = Series.Normal(random);
    Series.Append(train, shape, values);
}
File.WriteAllText(trainCsv, train.ToString());
var test = new StringBuilder("label,values\n");
string[] kinds = ["spike", "level-shift", "frequency"];
for (int i = 0; i < 300; i++)
{
    var (_, values) = Series.Normal(random, out double amplitude, out double period, out int shapeIndex, out double phase);
    string label = "normal";
    if (i % 5 == 4) // one in five is an anomaly, the kinds in turn
    {
        label = kinds[(i / 5) % kinds.Length];
        values = Series.Inject(random, label, values, amplitude, period, shapeIndex, phase);
    }
    Series.Append(test, label, values);
}
File.WriteAllText(testCsv, test.ToString());
Console.WriteLine($"Wrote {trainCsv} (800 normal series) and {testCsv} (240 normal, 60 anomalies)");

// Read, split (the last 10% validate) and standardise per feature with the training part's mean and deviation.
var all = CsvSequenceReader.Read(trainCsv, features: 1);
int validCount = (int)Math.Round(0.1 * all.Count);
var scaler = Standardizer.Fit(all.Take(0, all.Count - validCount));
var trainSet = scaler.Apply(all.Take(0, all.Count - validCount));
var validSet = scaler.Apply(all.Take(all.Count - validCount, validCount));

var spec = new AutoencoderSpec(Features: 1, EncoderUnits: [32, 8], DecoderUnits: [32], OutputHead.Linear, ReverseOutput: true);
// the --csv defaults (early stopping, plateau schedule, clipping) under the flags named above
var options = TrainingDefaults.Sequences with { Epochs = int.Parse(epochs, CultureInfo.InvariantCulture), BatchSize = 8, LearningRate = 0.005f, Seed = 42 };
var rule = SequenceScore.Default;
var clock = Stopwatch.StartNew();
using var backend = BackendFactory.Create("cpu");
using var model = new RecurrentAutoencoder(backend, spec, options.Seed);
using (var trainDevice = model.Upload(trainSet))
using (var validDevice = model.Upload(validSet))
{
    var trainer = new Trainer(model, trainDevice, validDevice, options)
    {
        EpochCompleted = r => { if (r.Epoch % 10 == 0) Console.WriteLine($"epoch {r.Epoch}: loss {r.Loss:F4}, val_loss {r.ValLoss:F4}"); },
    };
    trainer.Run(CancellationToken.None);
    // The threshold 'rae score' flags above: the 99th percentile of the training series' scores under the default rule.
    double trained = AnomalyStatistics.Percentile(rule.Of(model.StepErrors(trainSet), trainSet), DataInfo.ThresholdPercentile);
    var info = new DataInfo(DataInfo.CsvKind, Features: 1, LabelNames: all.LabelNames, Threshold: trained,
        Source: Path.GetFullPath(trainCsv), ValidFraction: 0.1, Score: rule.ToString()).WithStandardizer(scaler);
    Directory.CreateDirectory(run);
    Checkpoint.Save(Path.Combine(run, Checkpoint.FileName), model, options, trainer.Position, trainer.History, data: info);
}
double trainSeconds = clock.Elapsed.TotalSeconds;

// Score the test file the way the model was trained: standardised with the stored mean and deviation.
var checkpoint = Checkpoint.Load(run);
double threshold = checkpoint.Data.Threshold!.Value;
var testSet = checkpoint.Data.Prepare(CsvSequenceReader.Read(testCsv, features: 1));
var errors = checkpoint.Data.ScoreRule.Of(model.StepErrors(testSet), testSet);
var truth = Enumerable.Range(0, testSet.Count).Select(i => testSet.LabelText(i) != "normal").ToList();
var (precision, recall) = AnomalyStatistics.PrecisionRecall(errors, truth, threshold);
double auc = AnomalyStatistics.RocAuc(errors, truth);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Training: {trainSeconds:F0} s. Threshold {threshold:G4}: precision {precision:F3}, recall {recall:F3}; ROC-AUC {auc:F4}"));
var labelOf = Enumerable.Range(0, testSet.Count).Select(i => testSet.LabelText(i)).ToList();
foreach (var kind in kinds)
{
    var idx = Enumerable.Range(0, labelOf.Count).Where(i => labelOf[i] == kind).ToList();
    var normal = Enumerable.Range(0, labelOf.Count).Where(i => !truth[i]).ToList();
    double kindAuc = AnomalyStatistics.RocAuc([.. idx.Select(i => errors[i]), .. normal.Select(i => errors[i])],
        [.. idx.Select(_ => true), .. normal.Select(_ => false)]);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  {kind,-12} recall {idx.Count(i => errors[i] > threshold)}/{idx.Count}, ROC-AUC vs normal {kindAuc:F4}"));
}

// A normal series and one of each anomaly over their reconstructions, in the data's units.
int[] picks = [.. new[] { "normal" }.Concat(kinds).Select(k => labelOf.IndexOf(k)).Where(i => i >= 0)];
var png = Path.Combine(outDir, "series.png");
SeriesPlot.Write(SeriesPlot.Panels(model, testSet, checkpoint.Data, picks), png);
Console.WriteLine($"Wrote {png}");
return auc >= 0.95 ? 0 : 1;

static class Series
{
    public static readonly string[] Shapes = ["sine", "square", "sawtooth", "triangle"];

    public static (string Shape, double[] Values) Normal(Random r) => Normal(r, out _, out _, out _, out _);

    public static (string Shape, double[] Values) Normal(Random r, out double amplitude, out double period, out int shape, out double phase)
    {
        shape = r.Next(Shapes.Length);
        int length = r.Next(40, 121);
        amplitude = 0.5 + r.NextDouble();
        period = 18 + 4 * r.NextDouble();
        phase = r.NextDouble();
        var v = new double[length];
        for (int t = 0; t < length; t++) v[t] = amplitude * Wave(shape, t / period + phase) + 0.05 * Gaussian(r);
        return (Shapes[shape], v);
    }

    /// <summary>One cycle per unit of x, values in [-1, 1].</summary>
    public static double Wave(int shape, double x)
    {
        double f = x - Math.Floor(x);
        return shape switch
        {
            0 => Math.Sin(2 * Math.PI * f),
            1 => f < 0.5 ? 1 : -1,
            2 => 2 * f - 1,
            _ => f < 0.5 ? 4 * f - 1 : 3 - 4 * f,
        };
    }

    public static double[] Inject(Random r, string kind, double[] v, double amplitude, double period, int shape, double phase)
    {
        var a = (double[])v.Clone();
        int n = a.Length;
        switch (kind)
        {
            case "spike":
                for (int k = 0, count = r.Next(2, 5); k < count; k++)
                    a[r.Next(n)] += (r.Next(2) == 0 ? -1 : 1) * amplitude * (3 + 2 * r.NextDouble());
                break;
            case "level-shift":
                double shift = (r.Next(2) == 0 ? -1 : 1) * amplitude * (0.8 + 0.7 * r.NextDouble());
                for (int t = r.Next(n / 4, 3 * n / 4); t < n; t++) a[t] += shift;
                break;
            default: // the period halves or doubles from a point on
                int from = r.Next(n / 4, n / 2);
                double factor = r.Next(2) == 0 ? 0.5 : 2;
                double x0 = from / period + phase;
                for (int t = from; t < n; t++) a[t] = amplitude * Wave(shape, x0 + (t - from) / (period * factor)) + 0.05 * Gaussian(r);
                break;
        }
        return a;
    }

    public static double Gaussian(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    public static void Append(StringBuilder sb, string label, double[] values)
    {
        sb.Append(label);
        foreach (var v in values) sb.Append(',').Append(v.ToString("F4", CultureInfo.InvariantCulture));
        sb.Append('\n');
    }
}

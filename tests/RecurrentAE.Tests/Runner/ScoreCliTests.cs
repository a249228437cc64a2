using System.Globalization;
using RecurrentAE.Model.Analysis;
using RecurrentAE.Tests.Series;
using static RecurrentAE.Tests.Runner.CliTests;

namespace RecurrentAE.Tests.Runner;

/// <summary><c>rae score</c>'s score rules, per-step file and thresholds, with a tiny model trained in-process.</summary>
public class ScoreCliTests
{
    static readonly string[] Tiny = ["--encoder", "6,3", "--decoder", "6", "--batch-size", "8", "--accelerator", "cpu", "--threads", "1"];

    /// <summary>A tiny model on 30 ragged sines (the last 3 validate) and the file it was trained on.</summary>
    static (string Run, string Csv) Train()
    {
        var csv = SeriesFiles.Write(SeriesFiles.Sines(30, 12, labels: true, ragged: true));
        var run = TestIdx.TempDir();
        var r = Rae([.. new[] { "train", "--csv", csv, "--epochs", "2", "--lr", "0.01", "--out", run }, .. Tiny]);
        Assert.True(r.Code == 0, r.Err);
        return (run, csv);
    }

    static List<string[]> Rows(string path) => [.. File.ReadAllLines(path).Skip(1).Select(l => l.Split(','))];

    static double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    static void Close(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-6 * Math.Max(1, Math.Abs(expected)), $"{actual}, expected {expected}");

    /// <summary>Step errors and scores of <paramref name="csv"/> computed here through the library.</summary>
    static (float[] Steps, SequenceDataset Data) StepErrors(Checkpoint checkpoint, string csv)
    {
        using var backend = BackendFactory.Create("cpu", 1);
        using var model = checkpoint.CreateModel(backend);
        var data = checkpoint.Data.Prepare(CsvSequenceReader.Read(csv));
        return (model.StepErrors(data), data);
    }

    [Fact]
    public void Per_step_file_holds_each_sequence_s_own_steps_and_scores_follow_the_default_rule()
    {
        var (run, _) = Train();
        var test = SeriesFiles.Write(SeriesFiles.Sines(6, 12, labels: true, ragged: true, anomaly: 4, seed: 5));
        var dir = TestIdx.TempDir();
        string scores = Path.Combine(dir, "scores.csv"), perStep = Path.Combine(dir, "steps.csv");
        var r = Rae("score", "--model", run, "--csv", test, "--out", scores, "--per-step", perStep, "-a", "cpu");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains(SequenceScore.Default.ToString(), r.Out);

        var checkpoint = Checkpoint.Load(run);
        var (steps, data) = StepErrors(checkpoint, test);
        Assert.Equal("index,step,error,smoothed", File.ReadLines(perStep).First());
        var rows = Rows(perStep);
        Assert.Equal(Enumerable.Range(0, 6).Sum(data.LengthOf), rows.Count); // no padding rows
        int row = 0;
        for (int n = 0; n < 6; n++)
        {
            var own = steps.AsSpan(n * data.Steps, data.LengthOf(n));
            var smoothed = SequenceScore.MovingAverage(own, SequenceScore.Default.Smooth);
            for (int t = 0; t < own.Length; t++, row++)
            {
                Assert.Equal([n.ToString(CultureInfo.InvariantCulture), t.ToString(CultureInfo.InvariantCulture)], rows[row][..2]);
                Assert.Equal(own[t], float.Parse(rows[row][2], CultureInfo.InvariantCulture)); // round-trip formatting
                Assert.Equal((float)smoothed[t], float.Parse(rows[row][3], CultureInfo.InvariantCulture));
            }
        }
        // scores.csv's error is the rule over the file's smoothed column: here the mean of its k largest values
        Assert.Equal(ScoreKind.TopK, SequenceScore.Default.Kind);
        var score = Rows(scores);
        for (int n = 0; n < 6; n++)
        {
            var own = rows.Where(x => x[0] == n.ToString(CultureInfo.InvariantCulture)).Select(x => D(x[3])).OrderDescending().ToList();
            Close(own.Take(SequenceScore.Default.TopK).Average(), D(score[n][2])); // the column is float32
        }
        Assert.Equal("anomaly", score[4][1]);
        Assert.Equal(4, score.Select(x => D(x[2])).ToList().IndexOf(score.Max(x => D(x[2])))); // the spike scores highest
    }

    [Fact]
    public void The_stored_threshold_uses_the_stored_rule_and_another_rule_recomputes_it_from_the_training_data()
    {
        var (run, csv) = Train();
        var checkpoint = Checkpoint.Load(run);
        Assert.Equal(SequenceScore.Default.ToString(), checkpoint.Data.Score);
        Assert.Equal(SequenceScore.Default, checkpoint.Data.ScoreRule);
        var (steps, all) = StepErrors(checkpoint, csv);
        var train = all.Take(0, 27); // the last 10% validated
        var trainSteps = steps.AsSpan(0, 27 * all.Steps).ToArray();
        double Threshold(SequenceScore rule) => AnomalyStatistics.Percentile(rule.Of(trainSteps, train), 99);
        Assert.Equal(Threshold(SequenceScore.Default), checkpoint.Data.Threshold!.Value, 9);

        var test = SeriesFiles.Write(SeriesFiles.Sines(5, 12, labels: false, seed: 8));
        var scores = Path.Combine(TestIdx.TempDir(), "s.csv");
        var rule = new SequenceScore(ScoreKind.TopK, 2, 3);
        var r = Rae("score", "--model", run, "--csv", test, "--out", scores, "--score", "topk", "--top-k", "3", "--smooth", "2", "-a", "cpu");
        Assert.True(r.Code == 0, r.Err);
        double recomputed = Threshold(rule);
        Assert.NotEqual(checkpoint.Data.Threshold!.Value, recomputed, 6);
        Assert.Contains($"threshold {recomputed.ToString("G6", CultureInfo.InvariantCulture)} (the 99th percentile of the 27 training sequences' scores under {rule}, recomputed", r.Out);
        var (testSteps, testData) = StepErrors(checkpoint, test);
        var expected = rule.Of(testSteps, testData);
        var rows = Rows(scores);
        for (int n = 0; n < 5; n++)
        {
            Assert.Equal(expected[n], D(rows[n][1]), 6);
            Assert.Equal(expected[n] > recomputed ? "1" : "0", rows[n][2]);
        }

        // with the training file gone: the stored rule still scores, another is a one-line error
        File.Delete(csv);
        Assert.Equal(0, Rae("score", "--model", run, "--csv", test, "--out", scores, "-a", "cpu").Code);
        AssertUsageError(Rae("score", "--model", run, "--csv", test, "--out", scores, "--score", "mean", "-a", "cpu"), "score with the stored rule");
    }

    [Fact]
    public void A_checkpoint_without_a_stored_rule_scores_by_the_plain_mean_against_its_threshold()
    {
        var (run, _) = Train();
        var checkpoint = Checkpoint.Load(run);
        using (var backend = BackendFactory.Create("cpu", 1))
        using (var model = checkpoint.CreateModel(backend))
            Checkpoint.Save(Path.Combine(run, Checkpoint.FileName), model, data: checkpoint.Data with { Score = null, Threshold = 0.5 });
        Assert.Equal(SequenceScore.PlainMean, Checkpoint.Load(run).Data.ScoreRule);

        var test = SeriesFiles.Write(SeriesFiles.Sines(5, 12, labels: false, seed: 8));
        var scores = Path.Combine(TestIdx.TempDir(), "s.csv");
        var r = Rae("score", "--model", run, "--csv", test, "--out", scores, "-a", "cpu");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("threshold 0.5 (the 99th percentile of the training scores, stored at training)", r.Out);
        var (steps, data) = StepErrors(checkpoint, test);
        using var b = BackendFactory.Create("cpu", 1);
        using var m = checkpoint.CreateModel(b);
        var errors = m.SequenceErrors(data);
        var rows = Rows(scores);
        for (int n = 0; n < 5; n++) Close(errors[n], D(rows[n][1])); // float32 step errors averaged
        Assert.Equal(errors, SequenceScore.PlainMean.Of(steps, data), (x, y) => Math.Abs(x - y) < 1e-6);
    }

    [Fact]
    public void Bad_score_flags_are_one_line_errors()
    {
        var (run, csv) = Train();
        AssertUsageError(Rae("score", "--model", run, "--csv", csv, "--score", "median"), "median");
        AssertUsageError(Rae("score", "--model", run, "--csv", csv, "--smooth", "0"), "--smooth must be at least 1");
        AssertUsageError(Rae("score", "--model", run, "--csv", csv, "--smooth", "-3"), "--smooth must be at least 1");
        AssertUsageError(Rae("score", "--model", run, "--csv", csv, "--score", "topk", "--top-k", "0"), "--top-k must be at least 1");
        AssertUsageError(Rae("score", "--model", run, "--csv", csv, "--score", "max", "--top-k", "3"), "--top-k applies to --score topk");
    }
}

using System.Globalization;
using RecurrentAE.Model.Analysis;
using RecurrentAE.Tests.Series;
using SkiaSharp;
using static RecurrentAE.Tests.Runner.CliTests;

namespace RecurrentAE.Tests.Runner;

/// <summary>train/score/encode/map on CSV and NPY sequences, in-process through RaeApp.Run, with tiny models.</summary>
public class SeriesCliTests
{
    static readonly string[] Tiny = ["--encoder", "6,3", "--decoder", "6", "--batch-size", "8", "--accelerator", "cpu", "--threads", "1"];

    static string Train(string csv, params string[] extra)
    {
        var run = TestIdx.TempDir();
        var r = Rae([.. new[] { "train", "--csv", csv, "--epochs", "2", "--lr", "0.01", "--out", run }, .. Tiny, .. extra]);
        Assert.True(r.Code == 0, r.Err);
        return run;
    }

    static void AssertUsageError((int Code, string Out, string Err) r, string expected) => CliTests.AssertUsageError(r, expected);

    [Fact]
    public void Train_csv_then_score_end_to_end()
    {
        var csv = SeriesFiles.Write(SeriesFiles.Sines(40, 10, labels: true, ragged: true));
        var run = Train(csv);
        var checkpoint = Checkpoint.Load(run);
        Assert.Equal(DataInfo.CsvKind, checkpoint.Data.Kind);
        Assert.Equal(OutputHead.Linear, checkpoint.Spec.Head); // values outside [0, 1] -> mse, standardised
        Assert.NotNull(checkpoint.Data.Standardizer);
        Assert.Equal(["normal"], checkpoint.Data.LabelNames!);
        Assert.Equal(0.1, checkpoint.Data.ValidFraction);
        Assert.True(checkpoint.Data.Threshold > 0);
        Assert.Equal([6, 3], checkpoint.Spec.EncoderUnits);
        Assert.True(File.Exists(Path.Combine(run, "reconstructions.png")));

        var test = SeriesFiles.Write(SeriesFiles.Sines(12, 10, labels: true, anomaly: 7, seed: 9));
        var scores = Path.Combine(TestIdx.TempDir(), "scores.csv");
        var r = Rae("score", "--model", run, "--csv", test, "--out", scores, "--accelerator", "cpu", "--threads", "1");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("threshold", r.Out);
        var lines = File.ReadAllLines(scores);
        Assert.Equal("index,label,error,anomaly", lines[0]);
        Assert.Equal(13, lines.Length);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(Enumerable.Range(0, 12).Select(i => i.ToString(CultureInfo.InvariantCulture)), rows.Select(x => x[0]));
        var errors = rows.Select(x => double.Parse(x[2], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(7, errors.IndexOf(errors.Max())); // the spike ranks first
        Assert.Equal("anomaly", rows[7][1]);
        Assert.Equal("1", rows[7][3]);
        Assert.Equal(errors.Select(e => e > checkpoint.Data.Threshold ? "1" : "0"), rows.Select(x => x[3]));
    }

    /// <summary>--teacher-forcing on sequences: the model trains teacher forced, and score/evaluate/reconstruct/encode
    /// run on it (score's errors are those of the greedy reconstruction).</summary>
    [Fact]
    public void A_teacher_forced_model_trains_and_scores_on_csv()
    {
        var csv = SeriesFiles.Write(SeriesFiles.Sines(30, 8, labels: true, ragged: true));
        var run = Train(csv, "--teacher-forcing");
        var checkpoint = Checkpoint.Load(run);
        Assert.True(checkpoint.Spec.TeacherForcing);
        Assert.True(checkpoint.Spec.ReverseOutput);
        Assert.False(Checkpoint.Load(Train(csv)).Spec.TeacherForcing); // not the default for sequences

        var test = SeriesFiles.Write(SeriesFiles.Sines(5, 8, labels: false, seed: 3));
        var scores = Path.Combine(TestIdx.TempDir(), "s.csv");
        var r = Rae("score", "--model", run, "--csv", test, "--out", scores, "-a", "cpu");
        Assert.True(r.Code == 0, r.Err);
        using var backend = BackendFactory.Create("cpu", 1);
        using var model = checkpoint.CreateModel(backend);
        var prepared = checkpoint.Data.Standardizer!.Apply(CsvSequenceReader.Read(test));
        var expected = SequenceScore.Default.Of(model.StepErrors(prepared), prepared); // the default rule over the step errors
        var lines = File.ReadAllLines(scores);
        for (int i = 0; i < 5; i++) Assert.Equal(expected[i], double.Parse(lines[i + 1].Split(',')[1], CultureInfo.InvariantCulture), 6);
        Assert.Equal(0, Rae("evaluate", "--model", run, "--csv", test, "-a", "cpu").Code);
        Assert.Equal(0, Rae("reconstruct", "--model", run, "--csv", test, "--out", Path.Combine(TestIdx.TempDir(), "r.png"), "-a", "cpu").Code);
        Assert.Equal(0, Rae("encode", "--model", run, "--csv", test, "--out", Path.Combine(TestIdx.TempDir(), "c.csv"), "-a", "cpu").Code);
    }

    [Fact]
    public void Score_errors_match_the_model_in_its_standardised_space_and_omit_missing_labels()
    {
        var run = Train(SeriesFiles.Write(SeriesFiles.Sines(30, 8, labels: false)));
        var test = SeriesFiles.Write(SeriesFiles.Sines(5, 8, labels: false, seed: 3));
        var scores = Path.Combine(TestIdx.TempDir(), "s.csv");
        Assert.Equal(0, Rae("score", "--model", run, "--csv", test, "--out", scores, "-a", "cpu").Code);
        var lines = File.ReadAllLines(scores);
        Assert.Equal("index,error,anomaly", lines[0]);

        var checkpoint = Checkpoint.Load(run);
        using var backend = BackendFactory.Create("cpu", 1);
        using var model = checkpoint.CreateModel(backend);
        var prepared = checkpoint.Data.Standardizer!.Apply(CsvSequenceReader.Read(test));
        var expected = SequenceScore.Default.Of(model.StepErrors(prepared), prepared); // the default rule over the step errors
        for (int i = 0; i < 5; i++) Assert.Equal(expected[i], double.Parse(lines[i + 1].Split(',')[1], CultureInfo.InvariantCulture), 6);
    }

    [Fact]
    public void Unit_interval_data_trains_with_bce_and_no_standardisation()
    {
        var csv = SeriesFiles.Write("0.1,0.2,0.3\n0.4,0.5,0.6\n0.7,0.8,0.9\n0.0,1.0,0.5\n");
        var run = Train(csv, "--valid-fraction", "0.25");
        var c = Checkpoint.Load(run);
        Assert.Equal(OutputHead.Sigmoid, c.Spec.Head);
        Assert.Null(c.Data.Standardizer);
        var forced = Train(csv, "--loss", "mse");
        Assert.Equal(OutputHead.Linear, Checkpoint.Load(forced).Spec.Head);
        Assert.NotNull(Checkpoint.Load(forced).Data.Standardizer);
    }

    [Fact]
    public void Npy_train_encode_and_map()
    {
        var r = new Random(4);
        var values = Enumerable.Range(0, 20 * 6 * 2).Select(_ => r.NextDouble() * 4 - 2).ToArray();
        var npy = SeriesFiles.WriteNpy(values, [20, 6, 2], float64: true);
        var run = TestIdx.TempDir();
        var t = Rae([.. new[] { "train", "--npy", npy, "--epochs", "1", "--out", run }, .. Tiny]);
        Assert.True(t.Code == 0, t.Err);
        Assert.Equal(DataInfo.NpyKind, Checkpoint.Load(run).Data.Kind);

        var codings = Path.Combine(run, "c.csv");
        Assert.Equal(0, Rae("encode", "--model", run, "--npy", npy, "--out", codings, "-a", "cpu").Code);
        var lines = File.ReadAllLines(codings);
        Assert.Equal("c0,c1,c2", lines[0]); // no labels in an .npy file
        Assert.Equal(21, lines.Length);

        var png = Path.Combine(run, "map.png");
        var m = Rae("map", "--model", run, "--out", png, "-a", "cpu"); // defaults to the training file
        Assert.True(m.Code == 0, m.Err);
        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal((900, 700), (bitmap.Width, bitmap.Height));

        var e = Rae("evaluate", "--model", run, "-a", "cpu"); // the training file by default
        Assert.True(e.Code == 0, e.Err);
        Assert.StartsWith("loss: ", e.Out);
        var rec = Path.Combine(run, "r.png");
        Assert.Equal(0, Rae("reconstruct", "--model", run, "--npy", npy, "--n", "2", "--out", rec, "-a", "cpu").Code);
        Assert.True(File.Exists(rec));
    }

    [Fact]
    public void Map_colours_labelled_csv_codings()
    {
        var csv = SeriesFiles.Write(SeriesFiles.Sines(16, 6, labels: true, anomaly: 3));
        var run = Train(csv);
        var png = Path.Combine(TestIdx.TempDir(), "m.png");
        var r = Rae("map", "--model", run, "--csv", csv, "--out", png, "-a", "cpu");
        Assert.True(r.Code == 0, r.Err);
        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal(900, bitmap.Width);
        var codings = Path.Combine(TestIdx.TempDir(), "c.csv");
        Assert.Equal(0, Rae("encode", "--model", run, "--csv", csv, "--out", codings, "-a", "cpu").Code);
        Assert.StartsWith("label,c0,c1,c2", File.ReadAllLines(codings)[0]);
        Assert.StartsWith("anomaly,", File.ReadAllLines(codings)[4]);
    }

    [Fact]
    public void Bad_inputs_exit_2_with_one_line()
    {
        var good = SeriesFiles.Write(SeriesFiles.Sines(10, 5, labels: false));
        var bad = SeriesFiles.Write("1,2,3\n4,oops,6\n");
        var npy = SeriesFiles.WriteNpy([1, 2, 3, 4], [2, 2], float64: false);
        var wrongMagic = Path.Combine(TestIdx.TempDir(), "x.npy");
        File.WriteAllBytes(wrongMagic, SeriesFiles.Npy([1, 2], [1, 2], false, magic: "\u0093NUMPX"));
        var outDir = TestIdx.TempDir();
        AssertUsageError(Rae("train", "--csv", "/nonexistent/x.csv", "--out", outDir), "no such file");
        AssertUsageError(Rae("train", "--csv", bad, "--out", outDir), "line 2");
        AssertUsageError(Rae("train", "--npy", wrongMagic, "--out", outDir), "magic");
        AssertUsageError(Rae("train", "--csv", good, "--npy", npy, "--out", outDir), "one data source");
        AssertUsageError(Rae("train", "--npy", npy, "--features", "2", "--out", outDir), "--features");
        AssertUsageError(Rae("train", "--csv", good, "--features", "2", "--out", outDir), "multiple of --features");
        AssertUsageError(Rae("train", "--csv", good, "--loss", "bce", "--out", outDir), "[0, 1]");
        AssertUsageError(Rae("train", "--csv", good, "--loss", "hinge", "--out", outDir), "hinge");
        AssertUsageError(Rae("train", "--csv", good, "--encoder", "8,x", "--out", outDir), "--encoder");
        AssertUsageError(Rae("train", "--csv", good, "--valid-fraction", "1", "--out", outDir), "--valid-fraction");
        AssertUsageError(Rae("train", "--valid-fraction", "0.2", "--data", "/nonexistent", "--out", outDir), "--valid-fraction");
        Assert.Empty(Directory.GetFiles(outDir)); // nothing written by a refused run

        var run = Train(good);
        AssertUsageError(Rae("score", "--model", run, "--csv", bad), "line 2");
        AssertUsageError(Rae("score", "--model", run, "--csv", "/nonexistent/y.csv"), "no such file");
        AssertUsageError(Rae("score", "--model", run, "--csv", good, "--features", "5"), "features a step");
        AssertUsageError(Rae("score", "--model", run, "--csv", good, "--npy", npy), "one data source");
        AssertUsageError(Rae("score", "--model", "/nonexistent/run", "--csv", good), "not found");
        AssertUsageError(Rae("map", "--model", run, "--npy", wrongMagic), "magic");
        AssertUsageError(Rae("encode", "--model", run, "--npy", SeriesFiles.WriteNpy([1, 2, 3, 4], [1, 2, 2], false)), "features");
    }

    [Fact]
    public void Resume_reads_the_stored_training_file_and_keeps_its_standardisation()
    {
        var csv = SeriesFiles.Write(SeriesFiles.Sines(20, 6, labels: false));
        var run = Train(csv);
        var first = Checkpoint.Load(run);
        var r = Rae([.. new[] { "train", "--resume", run, "--epochs", "3" }, .. Tiny]);
        Assert.True(r.Code == 0, r.Err);
        var resumed = Checkpoint.Load(run);
        Assert.Equal(3, resumed.History.Count);
        Assert.Equal(first.Data with { Threshold = null }, resumed.Data with { Threshold = null });
        Assert.NotNull(resumed.Data.Threshold);
        AssertUsageError(Rae("train", "--resume", run, "--epochs", "4", "--loss", "bce"), "--loss");
        AssertUsageError(Rae("score", "--model", TestIdx.TempDir(), "--csv", csv), "not found");
    }

    [Fact]
    public void Old_checkpoints_without_data_read_as_fashion_mnist_and_data_info_round_trips()
    {
        using var backend = BackendFactory.Create("cpu", 1);
        using var model = new RecurrentAutoencoder(backend, new AutoencoderSpec(2, [3], [3], OutputHead.Linear), 1);
        var path = Path.Combine(TestIdx.TempDir(), Checkpoint.FileName);
        Checkpoint.Save(path, model);
        var old = Checkpoint.Load(path);
        Assert.True(old.Data.IsFashionMnist);
        Assert.Null(old.Data.Threshold);

        var info = new DataInfo(DataInfo.CsvKind, 2, [1f, 2f], [3f, 4f], ["a", "b"], 0.25, "/x.csv", 0.2);
        Checkpoint.Save(path, model, data: info);
        var loaded = Checkpoint.Load(path);
        Assert.Equal(info, loaded.Data);
        Assert.Equal([3f, 4f], loaded.Data.Standardizer!.Std);
    }
}

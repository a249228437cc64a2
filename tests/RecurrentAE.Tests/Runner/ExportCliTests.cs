using System.Globalization;
using RecurrentAE.Runner.Onnx;
using RecurrentAE.Tests.Export;
using RecurrentAE.Tests.Model;
using static RecurrentAE.Tests.Runner.CliTests;

namespace RecurrentAE.Tests.Runner;

/// <summary><c>rae export</c> and <c>rae evaluate --onnx</c> through RaeApp.Run: the written file against the model, and bad input.</summary>
public class ExportCliTests
{
    /// <summary>A run folder holding a checkpoint of random weights (csv data, standardised, reversed output).</summary>
    private static (string Run, RecurrentAutoencoder Model, Standardizer Scaler) CsvRun(IComputeBackend backend, Random random)
    {
        var spec = new AutoencoderSpec(2, [5, 3], [4], OutputHead.Linear, ReverseOutput: true);
        var model = OnnxExportTests.RandomModel(backend, spec, random);
        var scaler = new Standardizer([1.5f, -3f], [2f, 0.25f]);
        var run = TestIdx.TempDir();
        Checkpoint.Save(Path.Combine(run, Checkpoint.FileName), model, data: new DataInfo(DataInfo.CsvKind, 2).WithStandardizer(scaler));
        return (run, model, scaler);
    }

    /// <summary>The folder of a <see cref="CsvRun"/>, for the tests that need only its checkpoint file.</summary>
    private static string CsvRunFolder()
    {
        using var backend = TestBackends.Create("cpu");
        var (run, model, _) = CsvRun(backend, new Random(ModelTestData.FreshSeed()));
        model.Dispose();
        return run;
    }

    [Fact]
    public void ExportWritesAGraphThatReconstructsInTheDataUnits()
    {
        var random = new Random(ModelTestData.FreshSeed());
        using var backend = TestBackends.Create("cpu");
        var (run, model, scaler) = CsvRun(backend, random);
        using var _ = model;
        var file = Path.Combine(TestIdx.TempDir(), "model.onnx");
        var r = Rae("export", "--model", run, "--out", file, "--lengths");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("Wrote", r.Out);

        int count = 3, steps = 4;
        int[] lengths = [4, 2, 3];
        var raw = new float[count * steps * 2];
        for (int i = 0; i < raw.Length; i++) raw[i] = (float)(random.NextDouble() * 6 - 3);
        ModelTestData.ZeroPadding(raw, steps, 2, lengths);
        var data = new SequenceDataset(raw, count, steps, 2, lengths: lengths);
        var expected = scaler.InvertValues(model.Reconstruct(scaler.Apply(data)), 2);
        using var session = new OnnxSession(file, threads: 1);
        OnnxExportTests.AssertClose(expected, session.Reconstruct(raw, count, steps, 2, lengths), "rae export");
    }

    [Fact]
    public void EvaluateOnnxPrintsTheSameLossAsOurs()
    {
        var random = new Random(ModelTestData.FreshSeed());
        using var backend = TestBackends.Create("cpu");
        var spec = new AutoencoderSpec(4, [6, 3], [5]); // the reference model's shape, on 4 x 4 "images"
        using var model = OnnxExportTests.RandomModel(backend, spec, random);
        var run = TestIdx.TempDir();
        Checkpoint.Save(Path.Combine(run, Checkpoint.FileName), model, data: DataInfo.FashionMnist with { Features = 4 });
        var images = TestIdx.FashionDirectory(FashionMnist.ValidationCount + 4, rows: 4, cols: 4);
        var file = Path.Combine(TestIdx.TempDir(), "model.onnx");
        Assert.Equal(0, Rae("export", "--model", run, "--out", file).Code);

        var r = Rae("evaluate", "--model", run, "--data", images, "--onnx", file, "-a", "cpu", "--threads", "1");
        Assert.True(r.Code == 0, r.Err);
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        double ours = double.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        double onnx = double.Parse(lines[1].Split("): ")[1].Split(' ')[0], CultureInfo.InvariantCulture);
        Assert.StartsWith("val_loss:", lines[0]);
        Assert.StartsWith("val_loss (ONNX Runtime", lines[1]);
        Assert.True(ours > 0.1, r.Out);
        Assert.True(Math.Abs(onnx - ours) <= 1e-5 * ours, r.Out);
    }

    [Fact]
    public void ModelFolderWithoutCheckpoint() =>
        AssertUsageError(Rae("export", "--model", TestIdx.TempDir(), "--out", Path.Combine(TestIdx.TempDir(), "m.onnx")), "checkpoint not found");

    [Fact]
    public void PartTheModelLacks()
    {
        using var backend = TestBackends.Create("cpu");
        using var model = new RecurrentAutoencoder(backend, new AutoencoderSpec(4, [5], [5], OutputHead.Softmax, TeacherForcing: true), seed: 1);
        var run = TestIdx.TempDir();
        Checkpoint.Save(Path.Combine(run, Checkpoint.FileName), model);
        var file = Path.Combine(TestIdx.TempDir(), "m.onnx");
        AssertUsageError(Rae("export", "--model", run, "--out", file), "export one of encoder, decoder");
        Assert.False(File.Exists(file));
        Assert.Equal(0, Rae("export", "--model", run, "--out", file, "--part", "decoder").Code);
        AssertUsageError(Rae("export", "--model", run, "--out", file, "--part", "head"), "head");
    }

    [Fact]
    public void UnwritableOutput()
    {
        var run = CsvRunFolder();
        AssertUsageError(Rae("export", "--model", run, "--out", "/nonexistent/rae/m.onnx"), "does not exist");
        AssertUsageError(Rae("export", "--model", run, "--out", TestIdx.TempDir()), "is a folder");
    }

    [Fact]
    public void EvaluateOnnxBadInput()
    {
        var run = CsvRunFolder();
        AssertUsageError(Rae("evaluate", "--model", run, "--onnx", "/nonexistent/m.onnx"), "no such file");
        var encoder = Path.Combine(TestIdx.TempDir(), "encoder.onnx");
        Assert.Equal(0, Rae("export", "--model", run, "--out", encoder, "--part", "encoder").Code);
        var csv = Path.Combine(TestIdx.TempDir(), "x.csv");
        File.WriteAllText(csv, "1,2,3,4\n0,1,2,3\n");
        AssertUsageError(Rae("evaluate", "--model", run, "--csv", csv, "--features", "2", "--onnx", encoder, "-a", "cpu"), "not an autoencoder graph");
        var garbage = Path.Combine(TestIdx.TempDir(), "garbage.onnx");
        File.WriteAllBytes(garbage, [1, 2, 3]);
        AssertUsageError(Rae("evaluate", "--model", run, "--csv", csv, "--features", "2", "--onnx", garbage, "-a", "cpu"), "not an ONNX model");
    }
}

using RecurrentAE.Runner;
using RecurrentAE.Model.Checkpoints;
using RecurrentAE.Model.Data;

namespace RecurrentAE.Tests.Runner;

public class CliTests
{
    internal static (int Code, string Out, string Err) Rae(params string[] args) => Rae(default, args);

    internal static (int Code, string Out, string Err) Rae(CancellationToken cancel, params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = RaeApp.Run(args, o, e, cancel);
        return (code, o.ToString(), e.ToString());
    }

    internal static void AssertUsageError((int Code, string Out, string Err) r, string expected)
    {
        Assert.Equal(2, r.Code);
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("rae: ", lines[0]);
        Assert.Contains(expected, lines[0]);
        Assert.DoesNotContain("   at ", r.Err); // no stack trace
    }

    /// <summary>What the flags of a row of <see cref="BadFlagsAreOneLineUsageErrors"/> are given to.</summary>
    public enum On
    {
        /// <summary>Nothing: the flags are the whole command line.</summary>
        Nothing,
        /// <summary><c>rae train</c> of a tiny model on a tiny Fashion-MNIST-shaped set (<see cref="RegularizedCliTests.Train"/>).</summary>
        FashionTraining,
        /// <summary><c>rae train --csv</c> on short ragged sines (<see cref="TrainingCliTests.Csv"/>).</summary>
        CsvTraining,
    }

    /// <summary>Every bad flag is a usage error of one line that names it (exit code 2, no stack trace): the parser's and
    /// the commands' own checks, the denoising, sparse and variational flags, and the training settings.</summary>
    [Theory]
    // the parser, the commands and the basic training flags
    [InlineData(On.Nothing, "train --bogus", "--bogus")]
    [InlineData(On.Nothing, "train --epochs 0", "--epochs")]
    [InlineData(On.Nothing, "train --epochs many", "many")]
    [InlineData(On.Nothing, "train --batch-size -3", "--batch-size")]
    [InlineData(On.Nothing, "train --lr 0", "--lr")]
    [InlineData(On.Nothing, "train --accelerator tpu", "tpu")]
    [InlineData(On.Nothing, "evaluate", "--model")]
    [InlineData(On.Nothing, "reconstruct --model x --n 0", "--n")]
    [InlineData(On.Nothing, "frobnicate", "frobnicate")]
    [InlineData(On.Nothing, "", "command")]
    // the denoising, sparse and variational flags
    [InlineData(On.FashionTraining, "--variational --sparsity 0.1", "--variational and --sparsity/--l1-coding exclude each other")]
    [InlineData(On.FashionTraining, "--variational --l1-coding 0.01", "exclude each other")]
    [InlineData(On.FashionTraining, "--kl-weight 2", "--kl-weight and --kl-warmup need --variational")]
    [InlineData(On.FashionTraining, "--kl-warmup 3", "need --variational")]
    [InlineData(On.FashionTraining, "--sparsity-weight 0.1", "--sparsity-weight needs --sparsity P")]
    [InlineData(On.FashionTraining, "--sparsity 1.5", "--sparsity must be above 0 and below 1, not 1.5")]
    [InlineData(On.FashionTraining, "--sparsity 0.1 --sparsity-weight -1", "--sparsity-weight must be a number at least 0, not -1")]
    [InlineData(On.FashionTraining, "--l1-coding -0.5", "--l1-coding must be a number at least 0, not -0.5")]
    [InlineData(On.FashionTraining, "--noise -1", "--noise must be a number at least 0, not -1")]
    [InlineData(On.FashionTraining, "--input-dropout 1", "--input-dropout must be at least 0 and below 1, not 1")]
    [InlineData(On.FashionTraining, "--variational --kl-weight -2", "--kl-weight must be a number at least 0, not -2")]
    [InlineData(On.FashionTraining, "--variational --kl-warmup -1", "--kl-warmup must be at least 0 epochs, not -1")]
    // the training settings: time limit, early stopping, schedules, clipping, teacher-forcing dropout, random crops
    [InlineData(On.CsvTraining, "--time-limit 5x", "--time-limit takes a duration such as 90s, 15m, 1h30m or 2h, not '5x'")]
    [InlineData(On.CsvTraining, "--time-limit 1.5h", "--time-limit takes a duration")]
    [InlineData(On.CsvTraining, "--time-limit 0s", "--time-limit must be longer than 0")]
    [InlineData(On.CsvTraining, "--early-stopping -1", "--early-stopping takes a patience of at least 1 epoch, or 0 for off; not -1")]
    [InlineData(On.CsvTraining, "--early-stopping soon", "soon")]
    [InlineData(On.CsvTraining, "--clip-norm -1", "--clip-norm takes a positive norm, or 0 for off; not -1")]
    [InlineData(On.CsvTraining, "--lr-schedule linear", "linear")]
    [InlineData(On.CsvTraining, "--warmup -2", "--warmup must be at least 0 steps, not -2")]
    [InlineData(On.CsvTraining, "--plateau-factor 1.5", "--plateau-factor must be above 0 and below 1, not 1.5")]
    [InlineData(On.CsvTraining, "--plateau-patience 0", "--plateau-patience must be at least 1 epoch, not 0")]
    [InlineData(On.CsvTraining, "--min-lr 1", "--min-lr must be at least 0 and at most the learning rate 0.001, not 1")]
    [InlineData(On.CsvTraining, "--min-delta -0.5", "--min-delta must be a number at least 0, not -0.5")]
    [InlineData(On.CsvTraining, "--epochs 0", "--epochs must be at least 1, not 0")]
    [InlineData(On.CsvTraining, "--lr -1", "--lr must be a positive number, not -1")]
    [InlineData(On.CsvTraining, "--teacher-forcing-dropout 1", "--teacher-forcing-dropout needs teacher forcing")]
    [InlineData(On.CsvTraining, "--random-crops 1.5", "--random-crops must be at least 0 and at most 1, not 1.5")]
    [InlineData(On.CsvTraining, "--random-splices -1", "--random-splices must be at least 0 and at most 1, not -1")]
    public void BadFlagsAreOneLineUsageErrors(On on, string flags, string expected)
    {
        var given = flags.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string[] args = on switch
        {
            On.FashionTraining => RegularizedCliTests.Train(TestIdx.TempDir(), given),
            On.CsvTraining => ["train", "--csv", TrainingCliTests.Csv(), .. given, "--out", TestIdx.TempDir(), .. TrainingCliTests.Cpu],
            _ => given,
        };
        AssertUsageError(Rae(args), expected);
    }

    [Fact]
    public void MissingDataDirectory() =>
        AssertUsageError(Rae("train", "--data", "/nonexistent/rae-data", "--out", TestIdx.TempDir()), "apt-get install dataset-fashion-mnist");

    [Fact]
    public void MissingCheckpoint()
    {
        AssertUsageError(Rae("evaluate", "--model", "/nonexistent/run"), "not found");
        AssertUsageError(Rae("train", "--resume", "/nonexistent/run"), "not found");
    }

    [Fact]
    public void CorruptCheckpoint()
    {
        var dir = TestIdx.TempDir();
        File.WriteAllBytes(Path.Combine(dir, "model.safetensors"), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        AssertUsageError(Rae("reconstruct", "--model", dir), "corrupt");
        AssertUsageError(Rae("encode", "--model", dir), "corrupt");
    }

    [Fact]
    public void CorruptDataFile()
    {
        var dir = TestIdx.FashionDirectory(5, rows: 2, cols: 2);
        File.WriteAllBytes(Path.Combine(dir, "train-images-idx3-ubyte"), TestIdx.Bytes(2051, [5, 2, 2], new byte[7]));
        AssertUsageError(Rae("train", "--data", dir, "--out", TestIdx.TempDir()), "truncated");
    }

    /// <summary>IDX images of another size than 28 x 28 train (a step is a row of their width), and a command given
    /// images of another width than the model's says so in one line (it was an internal error).</summary>
    [Fact]
    public void ImagesOfAnotherSizeTrainAndAWrongWidthIsAOneLineError()
    {
        string run = TestIdx.TempDir(), images = TestIdx.FashionDirectory(FashionMnist.ValidationCount + 8, rows: 6, cols: 5);
        var r = Rae("train", "--data", images, "--encoder", "4,3", "--decoder", "4", "--epochs", "1", "--batch-size", "8",
            "--max-steps", "1", "--out", run, "--accelerator", "cpu", "--threads", "1");
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal(5, Checkpoint.Load(run).Spec.Features);
        Assert.True(File.Exists(Path.Combine(run, "reconstructions.png")));
        var wide = TestIdx.FashionDirectory(FashionMnist.ValidationCount + 1, rows: 6, cols: 7);
        string outDir = TestIdx.TempDir();
        foreach (var command in new[] { ["evaluate"], ["reconstruct", "--out", Path.Combine(outDir, "r.png")], new[] { "encode", "--out", Path.Combine(outDir, "c.csv") } })
            AssertUsageError(Rae([.. command, "--model", run, "--data", wide, "--accelerator", "cpu"]), "images 7 pixels wide, the model was trained on images 5 wide");
    }

    [Fact]
    public void HelpListsTheCommands()
    {
        var r = Rae("--help");
        Assert.Equal(0, r.Code);
        foreach (var c in new[] { "train", "evaluate", "reconstruct", "encode", "devices" }) Assert.Contains(c, r.Out);
        var t = Rae("train", "--help");
        foreach (var f in new[] { "--epochs", "--batch-size", "--lr", "--seed", "--accelerator", "--threads", "--max-steps", "--data", "--out", "--resume" })
            Assert.Contains(f, t.Out);
    }
}

using RecurrentAE.Runner;

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

    [Theory]
    [InlineData("train --bogus", "--bogus")]
    [InlineData("train --epochs 0", "--epochs")]
    [InlineData("train --epochs many", "many")]
    [InlineData("train --batch-size -3", "--batch-size")]
    [InlineData("train --lr 0", "--lr")]
    [InlineData("train --accelerator tpu", "tpu")]
    [InlineData("evaluate", "--model")]
    [InlineData("reconstruct --model x --n 0", "--n")]
    [InlineData("frobnicate", "frobnicate")]
    [InlineData("", "command")]
    public void BadFlagsExitWith2AndOneLine(string args, string expected) =>
        AssertUsageError(Rae(args.Split(' ', StringSplitOptions.RemoveEmptyEntries)), expected);

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

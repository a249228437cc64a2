using System.Text;
using RecurrentAE.Tests.Runner;
using Xunit.Abstractions;

namespace RecurrentAE.Tests.Text;

public class TextCliTests(ITestOutputHelper output)
{
    static void AssertUsageError((int Code, string Out, string Err) r, string expected) => CliTests.AssertUsageError(r, expected);

    static string WriteText(string dir, string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    [Fact]
    public void Bad_text_input_exits_2_with_one_line()
    {
        var dir = TestIdx.TempDir();
        AssertUsageError(CliTests.Rae("train", "--text", Path.Combine(dir, "missing.txt"), "--out", dir), "no such file");
        AssertUsageError(CliTests.Rae("train", "--text", WriteText(dir, "empty.txt", ""), "--out", dir), "no text");
        AssertUsageError(CliTests.Rae("train", "--text", WriteText(dir, "blank.txt", "\n  \n\n"), "--out", dir), "no text");
        AssertUsageError(CliTests.Rae("train", "--text", WriteText(dir, "long.txt", "much too long\nalso too long\n"), "--max-length", "5", "--out", dir), "--max-length");
        AssertUsageError(CliTests.Rae("train", "--text", dir, "--out", dir), "directory");
        AssertUsageError(CliTests.Rae("train", "--min-count", "2", "--out", dir), "--text only");
        AssertUsageError(CliTests.Rae("train", "--truncate", "--out", dir), "--text only");
        AssertUsageError(CliTests.Rae("train", "--text", "a.txt", "--csv", "b.csv", "--out", dir), "one data source");
        AssertUsageError(CliTests.Rae("train", "--text", "a.txt", "--max-length", "0"), "--max-length");
        AssertUsageError(CliTests.Rae("train", "--text", WriteText(dir, "ok.txt", "abc\ndef\n"), "--loss", "mse", "--out", dir), "--loss");
    }

    [Fact]
    public void Train_reconstruct_evaluate_encode_and_map_on_text()
    {
        var dir = TestIdx.TempDir();
        string[] lines = ["hello world", "the cat", "a dog", "lstm", "ünïcödé 😀", "hello", "cat and dog", "world", "tiny", "a cat"];
        var text = WriteText(dir, "lines.txt", string.Join("\n", lines) + "\n\n" + new string('x', 30) + "\n");
        var run = Path.Combine(dir, "run");
        var train = CliTests.Rae("train", "--text", text, "--max-length", "20", "--epochs", "3", "--batch-size", "4", "--lr", "0.01",
            "--encoder", "16,12", "--decoder", "16", "--accelerator", "cpu", "--threads", "2", "--out", run);
        output.WriteLine(train.Out + train.Err);
        Assert.Equal(0, train.Code);
        Assert.Contains("9 training / 1 validation lines", train.Out);
        Assert.Contains("1 longer than 20 dropped", train.Out);
        Assert.Contains("Per-character accuracy", train.Out);
        Assert.True(File.Exists(Path.Combine(run, "reconstructions.txt")));

        var checkpoint = Checkpoint.Load(run);
        Assert.True(checkpoint.Data.IsText);
        Assert.True(checkpoint.Spec.TeacherForcing); // the text default: reconstruct/evaluate below decode greedily
        Assert.Equal(checkpoint.Spec.Features, checkpoint.Data.Vocabulary!.Size);
        Assert.Contains("😀", checkpoint.Data.Vocabulary.Symbols);
        Assert.Equal(20, checkpoint.Data.MaxLength);
        Assert.Contains("\"vocabulary\"", checkpoint.Metadata["data"]);

        var reconstruct = CliTests.Rae("reconstruct", "--model", run, "--n", "3", "--accelerator", "cpu");
        output.WriteLine(reconstruct.Out + reconstruct.Err);
        Assert.Equal(0, reconstruct.Code);
        Assert.Contains("a cat", reconstruct.Out); // the validation line, beside its reconstruction
        Assert.Contains(" | ", reconstruct.Out);

        var other = WriteText(dir, "other.txt", "hello cat\nzzz 😀\n");
        var reconstructOther = CliTests.Rae("reconstruct", "--model", run, "--text", other, "--accelerator", "cpu");
        Assert.Equal(0, reconstructOther.Code);
        Assert.Contains("hello cat", reconstructOther.Out);
        Assert.Contains("zzz 😀", reconstructOther.Out);

        var evaluate = CliTests.Rae("evaluate", "--model", run, "--accelerator", "cpu");
        output.WriteLine(evaluate.Out + evaluate.Err);
        Assert.Equal(0, evaluate.Code);
        Assert.Contains("val_loss:", evaluate.Out);
        Assert.Contains("val_accuracy:", evaluate.Out);
        var evaluateOther = CliTests.Rae("evaluate", "--model", run, "--text", other, "--accelerator", "cpu");
        Assert.Contains("text_accuracy:", evaluateOther.Out);

        var codings = Path.Combine(dir, "codings.csv");
        var encode = CliTests.Rae("encode", "--model", run, "--text", other, "--out", codings, "--accelerator", "cpu");
        Assert.Equal(0, encode.Code);
        var rows = File.ReadAllLines(codings);
        Assert.Equal(3, rows.Length); // header + 2 lines
        Assert.Equal(12, rows[1].Split(',').Length);
        Assert.Equal(0, CliTests.Rae("encode", "--model", run, "--out", codings, "--accelerator", "cpu").Code); // the training file
        Assert.Equal(11, File.ReadAllLines(codings).Length);

        var scores = Path.Combine(dir, "scores.csv");
        Assert.Equal(0, CliTests.Rae("score", "--model", run, "--text", other, "--out", scores, "--accelerator", "cpu").Code);
        Assert.Equal(3, File.ReadAllLines(scores).Length); // header + 2 lines

        var map = CliTests.Rae("map", "--model", run, "--text", other, "--out", Path.Combine(dir, "map.png"), "--accelerator", "cpu");
        Assert.Equal(0, map.Code);

        AssertUsageError(CliTests.Rae("reconstruct", "--model", run, "--text", Path.Combine(dir, "none.txt")), "no such file");
        AssertUsageError(CliTests.Rae("evaluate", "--model", run, "--text", WriteText(dir, "empty2.txt", "")), "no text");
        AssertUsageError(CliTests.Rae("encode", "--model", run, "--csv", other), "text model");
    }

    [Fact]
    public void Teacher_forcing_is_the_text_default_and_the_flags_choose_it()
    {
        var dir = TestIdx.TempDir();
        var text = WriteText(dir, "lines.txt", "hello world\nthe cat\na dog\nlstm\ntiny\n");
        string[] tiny = ["--epochs", "1", "--batch-size", "4", "--encoder", "8", "--decoder", "8", "--accelerator", "cpu", "--threads", "1"];
        var off = Path.Combine(dir, "off");
        var r = CliTests.Rae([.. new[] { "train", "--text", text, "--no-teacher-forcing", "--out", off }, .. tiny]);
        Assert.True(r.Code == 0, r.Err);
        Assert.False(Checkpoint.Load(off).Spec.TeacherForcing);
        Assert.Equal(0f, Checkpoint.Load(off).Options!.TeacherForcingDropout);
        Assert.Equal(0, CliTests.Rae("reconstruct", "--model", off, "--accelerator", "cpu").Code);

        var on = Path.Combine(dir, "on");
        r = CliTests.Rae([.. new[] { "train", "--text", text, "--teacher-forcing", "--out", on }, .. tiny]);
        Assert.True(r.Code == 0, r.Err);
        Assert.True(Checkpoint.Load(on).Spec.TeacherForcing);
        Assert.Equal(0.25f, Checkpoint.Load(on).Options!.TeacherForcingDropout); // the text default
        var reconstruct = CliTests.Rae("reconstruct", "--model", on, "--accelerator", "cpu");
        Assert.True(reconstruct.Code == 0, reconstruct.Err);
        Assert.Contains(" | ", reconstruct.Out);

        AssertUsageError(CliTests.Rae([.. new[] { "train", "--text", text, "--teacher-forcing", "--no-teacher-forcing", "--out", Path.Combine(dir, "both") }, .. tiny]), "exclude each other");
        AssertUsageError(CliTests.Rae("train", "--resume", on, "--no-teacher-forcing", "--epochs", "2", "--accelerator", "cpu"), "cannot change when resuming");
    }

    [Fact]
    public void Teacher_forcing_dropout_is_a_checked_training_option_kept_for_resume()
    {
        var dir = TestIdx.TempDir();
        var text = WriteText(dir, "lines.txt", "hello world\nthe cat\na dog\nlstm\ntiny\n");
        // a constant rate, so that the resume below may raise the epoch cap (a cosine schedule, the --text default, fixes it)
        string[] tiny = ["--epochs", "1", "--batch-size", "4", "--encoder", "8", "--decoder", "8", "--lr-schedule", "constant", "--accelerator", "cpu", "--threads", "1"];
        var run = Path.Combine(dir, "run");
        var r = CliTests.Rae([.. new[] { "train", "--text", text, "--teacher-forcing-dropout", "0.25", "--out", run }, .. tiny]);
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("teacher-forcing dropout 0.25", r.Out);
        Assert.Equal(0.25f, Checkpoint.Load(run).Options!.TeacherForcingDropout);
        r = CliTests.Rae("train", "--resume", run, "--epochs", "2", "--teacher-forcing-dropout", "0.25", "--accelerator", "cpu", "--threads", "1");
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal(0.25f, Checkpoint.Load(run).Options!.TeacherForcingDropout);

        foreach (var bad in new[] { "1", "-0.1", "1.5", "NaN" })
            AssertUsageError(CliTests.Rae([.. new[] { "train", "--text", text, "--teacher-forcing-dropout", bad, "--out", Path.Combine(dir, "bad") }, .. tiny]),
                "--teacher-forcing-dropout must be at least 0 and below 1");
        AssertUsageError(CliTests.Rae([.. new[] { "train", "--text", text, "--no-teacher-forcing", "--teacher-forcing-dropout", "0.2", "--out", Path.Combine(dir, "off") }, .. tiny]),
            "needs teacher forcing");
        Assert.False(Directory.Exists(Path.Combine(dir, "off")));
        AssertUsageError(CliTests.Rae("train", "--resume", run, "--epochs", "3", "--teacher-forcing-dropout", "0.5", "--accelerator", "cpu"), "cannot change when resuming");
    }
}

using System.Globalization;
using RecurrentAE.Model.Distributed;
using RecurrentAE.Runner;
using RecurrentAE.Tests.Data;
using RecurrentAE.Tests.Series;

namespace RecurrentAE.Tests.Distributed;

/// <summary><c>rae train|score|encode</c> run by N in-process ranks, as under mpirun: the same files as one process
/// (scores and codings bit for bit, val_loss to float summation order), written by rank 0 alone.</summary>
public class DataParallelCliTests
{
    static readonly string[] Tiny = ["--encoder", "6,3", "--decoder", "6", "--batch-size", "8", "--accelerator", "cpu", "--threads", "1"];

    static (int Code, string Out, string Err)[] RaeOnRanks(int ranks, params string[] args) =>
        InProcessCommunicator.Run(ranks, world =>
        {
            var o = new StringWriter();
            var e = new StringWriter();
            int code = RaeApp.Run(args, o, e, default, world);
            return (code, o.ToString(), e.ToString());
        });

    static (int Code, string Out, string Err) Rae(params string[] args) => RaeOnRanks(1, args)[0];

    static string[] Train(string csv, string run) => [.. new[] { "train", "--csv", csv, "--epochs", "2", "--lr", "0.01", "--out", run }, .. Tiny];

    static double LastValLoss(string run) =>
        double.Parse(File.ReadLines(Path.Combine(run, "history.csv")).Last().Split(',')[2], CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Training_on_n_ranks_ends_at_one_process_s_val_loss_and_only_rank_0_writes_and_prints(int ranks)
    {
        var csv = SeriesFiles.Write(SeriesFiles.Sines(45, 12, labels: true, ragged: true));
        string one = TestIdx.TempDir(), many = TestIdx.TempDir();
        var single = Rae(Train(csv, one));
        Assert.True(single.Code == 0, single.Err);
        var results = RaeOnRanks(ranks, Train(csv, many));
        Assert.All(results, r => Assert.True(r.Code == 0, r.Err));
        Assert.Contains($"data parallel on {ranks} ranks", results[0].Out);
        Assert.All(results.Skip(1), r => Assert.Equal("", r.Out));
        Assert.Equal(Directory.GetFiles(one).Select(Path.GetFileName).Order(), Directory.GetFiles(many).Select(Path.GetFileName).Order());
        double a = LastValLoss(one), b = LastValLoss(many);
        Assert.True(Math.Abs(a - b) <= 1e-6 * a, $"val_loss {b} on {ranks} ranks, {a} in one process");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Scores_and_codings_on_n_ranks_are_one_process_s_files_byte_for_byte(int ranks)
    {
        var run = TestIdx.TempDir();
        var trained = Rae(Train(SeriesFiles.Write(SeriesFiles.Sines(30, 12, labels: true, ragged: true)), run));
        Assert.True(trained.Code == 0, trained.Err);
        var test = SeriesFiles.Write(SeriesFiles.Sines(23, 12, labels: true, ragged: true, anomaly: 4, seed: 5));
        string one = TestIdx.TempDir(), many = TestIdx.TempDir();
        foreach (var (dir, n) in new[] { (one, 1), (many, ranks) })
        {
            var score = RaeOnRanks(n, "score", "--model", run, "--csv", test, "--out", Path.Combine(dir, "scores.csv"),
                "--per-step", Path.Combine(dir, "steps.csv"), "-a", "cpu", "--threads", "1");
            Assert.All(score, r => Assert.True(r.Code == 0, r.Err));
            var encode = RaeOnRanks(n, "encode", "--model", run, "--csv", test, "--out", Path.Combine(dir, "codings.csv"), "-a", "cpu", "--threads", "1");
            Assert.All(encode, r => Assert.True(r.Code == 0, r.Err));
        }
        foreach (var file in new[] { "scores.csv", "steps.csv", "codings.csv" })
        {
            var expected = File.ReadAllText(Path.Combine(one, file));
            Assert.True(expected.Split('\n').Length > 20, $"{file} is too short to test the split");
            Assert.Equal(expected, File.ReadAllText(Path.Combine(many, file)));
        }
        Assert.Contains("1", File.ReadLines(Path.Combine(one, "scores.csv")).Skip(1).Select(l => l.Split(',')[^1])); // something is flagged
    }

    [Fact]
    public void Commands_that_do_not_share_work_run_on_rank_0_alone()
    {
        var errors = new[] { new StringWriter(), new StringWriter() };
        var e = Assert.Throws<AggregateException>(() => InProcessCommunicator.Run(2, world =>
            RaeApp.Run(["evaluate", "--model", TestIdx.TempDir()], new StringWriter(), errors[world.Rank], default, world)));
        Assert.IsType<CommunicatorAbortedException>(e.InnerException);
        Assert.StartsWith("[rank 0/2] rae: error: ", errors[0].ToString());
        Assert.Equal("", errors[1].ToString()); // rank 1 never ran it
    }

    [Fact]
    public void A_usage_error_on_any_rank_is_one_line_prefixed_with_the_rank_and_aborts_the_group()
    {
        var errors = new[] { new StringWriter(), new StringWriter() };
        var e = Assert.Throws<AggregateException>(() => InProcessCommunicator.Run(2, world =>
            RaeApp.Run(["score", "--model", TestIdx.TempDir(), "--csv", "missing.csv"], new StringWriter(), errors[world.Rank], default, world)));
        Assert.IsType<CommunicatorAbortedException>(e.InnerException);
        for (int r = 0; r < 2; r++)
        {
            var lines = errors[r].ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Single(lines);
            Assert.StartsWith($"[rank {r}/2] rae: error: ", lines[0]);
        }
    }
}

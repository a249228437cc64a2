using RecurrentAE.Fuzz;

namespace RecurrentAE.Tests.Fuzz;

/// <summary>Replays every committed fuzz seed (tests/fuzz-corpus/TARGET) and every input the fuzzer once crashed on
/// (tests/fuzz-regressions/TARGET) through the harness of scripts/fuzz.sh: each must parse, or be rejected with the
/// reader's one-line DataFormatException, within the allocation bound.</summary>
public class FuzzCorpusTests
{
    static readonly string[] Folders = ["tests/fuzz-corpus", "tests/fuzz-regressions"];

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RecurrentAE.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no RecurrentAE.sln above {AppContext.BaseDirectory}");
    }

    public static TheoryData<string, string> Inputs()
    {
        var data = new TheoryData<string, string>();
        var root = RepositoryRoot();
        foreach (var folder in Folders)
        {
            var path = Path.Combine(root, folder);
            if (!Directory.Exists(path)) continue;
            foreach (var targetDir in Directory.GetDirectories(path).Order(StringComparer.Ordinal))
                foreach (var file in Directory.GetFiles(targetDir).Order(StringComparer.Ordinal))
                    data.Add(Path.GetFileName(targetDir), Path.GetRelativePath(root, file));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Each_input_parses_or_is_rejected_with_a_one_line_format_error(string target, string file)
    {
        var fuzzTarget = FuzzTargets.Find(target);
        Assert.True(fuzzTarget is not null, $"{file}: its folder names no fuzz target");
        var outcome = FuzzTargets.Run(fuzzTarget, File.ReadAllBytes(Path.Combine(RepositoryRoot(), file)));
        Assert.True(outcome.Parsed || !string.IsNullOrWhiteSpace(outcome.Message));
    }

    [Fact]
    public void Every_target_has_seeds_and_one_of_them_parses()
    {
        var root = RepositoryRoot();
        foreach (var target in FuzzTargets.All)
        {
            var dir = Path.Combine(root, "tests/fuzz-corpus", target.Name);
            Assert.True(Directory.Exists(dir), $"no seed corpus for fuzz target {target.Name}");
            Assert.Contains(Directory.GetFiles(dir), f => FuzzTargets.Run(target, File.ReadAllBytes(f)).Parsed);
        }
    }

    [Fact]
    public void The_harness_fails_an_allocation_over_the_bound_and_an_undocumented_exception()
    {
        var input = new byte[1000];
        long bound = FuzzTargets.AllocationFactor * input.Length + FuzzTargets.AllocationSlack;
        var greedy = new FuzzTarget("greedy", "allocates twice the bound", _ => { GC.KeepAlive(new byte[2 * bound]); return 0; });
        Assert.Throws<FuzzBoundException>(() => FuzzTargets.Run(greedy, input));
        var fitting = new FuzzTarget("fitting", "allocates half the bound", _ => { GC.KeepAlive(new byte[bound / 2]); return 0; });
        Assert.True(FuzzTargets.Run(fitting, input).Parsed);
        var wordy = new FuzzTarget("wordy", "an error quoting two lines", _ => throw new DataFormatException("'one\r\ntwo\u2028' is bad"));
        Assert.Equal("'one\\r\\ntwo\\u2028' is bad", FuzzTargets.Run(wordy, input).Message);
        var terse = new FuzzTarget("terse", "a one-line error", _ => throw new DataFormatException("what is wrong"));
        Assert.Equal("what is wrong", FuzzTargets.Run(terse, input).Message);
        var broken = new FuzzTarget("broken", "an undocumented exception", _ => throw new IndexOutOfRangeException());
        Assert.Throws<IndexOutOfRangeException>(() => FuzzTargets.Run(broken, input));
    }

    [Fact]
    public void An_idx_input_splits_back_into_the_files_it_joins()
    {
        byte[] images = [1, 2, 3], labels = [4, 5];
        var (i, l) = FuzzTargets.SplitPair(FuzzTargets.JoinPair(images, labels));
        Assert.Equal(images, i);
        Assert.Equal(labels, l);
    }
}

using System.CommandLine;
using RecurrentAE.Model.Distributed;
using RecurrentAE.Model.Distributed.OpenMpi;
using RecurrentAE.Runner.Commands;

namespace RecurrentAE.Runner;

/// <summary>What every command gets: where to write, and a cancellation that tests can trigger (Ctrl-C is added by train).</summary>
internal sealed record RaeContext(TextWriter Out, TextWriter Err, bool Interactive, CancellationToken Cancel)
{
    /// <summary>The ranks running this command together (mpirun); one process alone otherwise. Only rank 0 writes.</summary>
    public ICommunicator World { get; init; } = SingleProcessCommunicator.Instance;
}

/// <summary>A bad combination of flags found after parsing: one line to stderr, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>
/// The rae command line. Exit codes: 0 success; 1 training diverged (NaN/Inf) or an unexpected failure;
/// 2 usage or input errors (bad flags, unknown accelerator, missing data, missing or corrupt checkpoint);
/// 130 training interrupted by Ctrl-C after saving a resumable checkpoint.
/// </summary>
internal static class RaeApp
{
    public const int Ok = 0, Failure = 1, UsageError = 2, Interrupted = 130;

    public static int Run(string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken cancel = default,
        ICommunicator? world = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        try
        {
            world ??= MpiLaunch.World;
        }
        catch (MpiUnavailableException e)
        {
            error.WriteLine($"rae: error: {OneLine(e.Message)}");
            return UsageError;
        }
        if (world.Size > 1)
        {
            // under mpirun: rank 0 speaks for the job; every rank still reports its own errors (DataParallelRun)
            if (world.Rank != 0)
            {
                if (!DataParallelRun.RunsOnEveryRank(args)) return Ok; // evaluate, reconstruct, map, ...: rank 0 alone
                output = TextWriter.Null;
            }
            var rankError = DataParallelRun.RankPrefixed(error, world);
            return DataParallelRun.Run(world, rankError, args.FirstOrDefault() == "train", () => Run(args, output, rankError, cancel, world, DataParallelRun.Interactive(world, output)));
        }
        return Run(args, output, error, cancel, world, ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected);
    }

    static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken cancel, ICommunicator world, bool interactive)
    {
        var ctx = new RaeContext(output, error, interactive, cancel) { World = world };
        var root = BuildRoot(ctx);
        ParseResult parse;
        try
        {
            parse = root.Parse(args);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException)
        {
            error.WriteLine($"rae: {OneLine(e.Message)} (see 'rae --help')");
            return UsageError;
        }
        if (parse.Errors.Count > 0)
        {
            var messages = parse.Errors.Select(e => OneLine(e.Message).TrimEnd('.')).Distinct()
                .OrderBy(m => m.StartsWith("Required command", StringComparison.Ordinal)); // the specific error first
            error.WriteLine($"rae: {string.Join("; ", messages)} (see 'rae --help')");
            return UsageError;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            return Report(e, error);
        }
    }

    /// <summary>The command tree. New commands (e.g. bench) are one line here and one file in Commands/.</summary>
    internal static RootCommand BuildRoot(RaeContext ctx)
    {
        var root = new RootCommand("rae: LSTM autoencoders on Fashion-MNIST or any sequences from CSV/NPY (train, evaluate, reconstruct, encode, score, map, export to ONNX)");
        root.Subcommands.Add(TrainCommand.Create(ctx));
        root.Subcommands.Add(EvaluateCommand.Create(ctx));
        root.Subcommands.Add(ReconstructCommand.Create(ctx));
        root.Subcommands.Add(EncodeCommand.Create(ctx));
        root.Subcommands.Add(ScoreCommand.Create(ctx));
        root.Subcommands.Add(MapCommand.Create(ctx));
        root.Subcommands.Add(DevicesCommand.Create(ctx));
        root.Subcommands.Add(BenchCommand.Create(ctx));
        root.Subcommands.Add(ExportCommand.Create(ctx));
        root.Subcommands.Add(SampleCommand.Create(ctx));
        root.Subcommands.Add(InterpolateCommand.Create(ctx));
        return root;
    }

    internal static int Report(Exception e, TextWriter error)
    {
        switch (e)
        {
            case UsageException or DataFormatException or DatasetNotFoundException or BackendUnavailableException:
                error.WriteLine($"rae: error: {OneLine(e.Message)}");
                return UsageError;
            case TrainingDivergedException:
                error.WriteLine($"rae: training diverged: {OneLine(e.Message)}");
                return Failure;
            case IOException or UnauthorizedAccessException:
                error.WriteLine($"rae: error: {OneLine(e.Message)}");
                return Failure;
            default:
                error.WriteLine($"rae: internal error: {e.GetType().Name}: {OneLine(e.Message)}");
                if (Environment.GetEnvironmentVariable("RAE_DEBUG") is "1") error.WriteLine(e);
                return Failure;
        }
    }

    internal static string OneLine(string s) =>
        System.Text.RegularExpressions.Regex.Replace(s.ReplaceLineEndings(" "), @"\s+", " ").Trim();
}

using System.Runtime.InteropServices;
using RecurrentAE.Model.Distributed;

namespace RecurrentAE.Runner;

/// <summary>
/// A command run by every rank of an mpirun job. A rank that fails prints its one-line error (prefixed with its rank) and
/// aborts the job (MPI_Abort), so no rank waits forever in a collective for it; a rank that mpirun ends (Ctrl-C, or
/// another rank that died) prints one line on SIGTERM before it exits. Checkpoints are written by atomic rename, so the
/// last one stays intact either way and <c>rae train --resume</c> continues it under any number of ranks.
/// </summary>
internal static class DataParallelRun
{
    /// <summary>Runs <paramref name="command"/> (which reports its own errors to <paramref name="error"/>) and aborts the
    /// job when it fails on this rank.</summary>
    public static int Run(ICommunicator world, TextWriter error, Func<int> command)
    {
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ =>
            error.WriteLine("rae: stopped by mpirun (Ctrl-C, or another rank failed); the last checkpoint is kept: continue with 'rae train --resume DIR' under any number of ranks"));
        int code = command();
        if (code != RaeApp.Ok && code != RaeApp.Interrupted)
        {
            error.Flush();
            world.Abort(code);
        }
        return code;
    }

    /// <summary>The commands whose work the ranks share (the others run on rank 0 alone, so nothing is written twice).</summary>
    public static bool RunsOnEveryRank(string[] args) => args.FirstOrDefault() is "train" or "score" or "encode" or "bench";

    /// <summary>Only rank 0's progress may redraw a terminal line.</summary>
    public static bool Interactive(ICommunicator world, TextWriter output) =>
        world.Rank == 0 && ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;

    /// <summary>The error writer of a rank: each line begins "[rank r/N] ".</summary>
    public static TextWriter RankPrefixed(TextWriter error, ICommunicator world) => new RankPrefixedWriter(error, world.Rank, world.Size);

    sealed class RankPrefixedWriter(TextWriter inner, int rank, int size) : TextWriter
    {
        public override System.Text.Encoding Encoding => inner.Encoding;
        public override void Write(char value) => inner.Write(value);
        public override void Write(string? value) => inner.Write(value);
        public override void WriteLine(string? value) => inner.WriteLine($"[rank {rank}/{size}] {value}");
        public override void Flush() => inner.Flush();
    }
}

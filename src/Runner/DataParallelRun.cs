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
    /// <summary>Runs <paramref name="command"/> (which reports its own errors to <paramref name="error"/>; <paramref name="training"/>: rae train, whose checkpoint a stop keeps) and aborts the
    /// job when it fails on this rank.</summary>
    public static int Run(ICommunicator world, RankErrorWriter error, bool training, Func<int> command)
    {
        string stopped = "rae: stopped by mpirun (Ctrl-C, or another rank failed)" + (training
            ? "; the last checkpoint is kept: continue with 'rae train --resume DIR' under any number of ranks" : "");
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => error.Last(stopped));
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
    public static RankErrorWriter RankPrefixed(TextWriter error, ICommunicator world) => new(error, world.Rank, world.Size);
}

/// <summary>A rank's stderr: each line begins "[rank r/N] "; after <see cref="Last"/> it writes nothing more, so a rank
/// that mpirun stops ends with one line.</summary>
internal sealed class RankErrorWriter(TextWriter inner, int rank, int size) : TextWriter
{
    private readonly Lock _gate = new();
    private bool _wrote, _closed;

    public override System.Text.Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        lock (_gate) if (!_closed) inner.Write(value);
    }

    public override void WriteLine(string? value)
    {
        lock (_gate)
        {
            if (_closed) return;
            inner.WriteLine($"[rank {rank}/{size}] {value}");
            _wrote = true;
        }
    }

    /// <summary>Writes <paramref name="line"/> unless the rank has reported an error already, then nothing more.</summary>
    public void Last(string line)
    {
        lock (_gate)
        {
            if (!_wrote && !_closed) inner.WriteLine($"[rank {rank}/{size}] {line}");
            _closed = true;
            inner.Flush();
        }
    }

    public override void Flush() => inner.Flush();
}

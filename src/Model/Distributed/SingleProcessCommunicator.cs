namespace RecurrentAE.Model.Distributed;

/// <summary>One rank alone (a process not launched by mpirun, or launched with -np 1): every collective is a no-op, so
/// training with it is exactly training without it.</summary>
public sealed class SingleProcessCommunicator : ICommunicator
{
    /// <summary>The one instance.</summary>
    public static SingleProcessCommunicator Instance { get; } = new();

    private SingleProcessCommunicator() { }

    /// <summary>Always 0.</summary>
    public int Rank => 0;

    /// <summary>Always 1.</summary>
    public int Size => 1;

    /// <summary>Leaves the values as they are (the sum over one rank).</summary>
    public void AllReduceSum(Span<float> values) { }

    /// <summary>Leaves the values as they are (the sum over one rank).</summary>
    public void AllReduceSum(Span<double> values) { }

    /// <summary>Nothing to copy.</summary>
    public void Broadcast(Span<byte> data, int root)
    {
        if (root != 0) throw new ArgumentOutOfRangeException(nameof(root), $"root {root} of 1 rank");
    }

    /// <summary>Returns at once.</summary>
    public void Barrier() { }

    /// <summary>Ends the process with <paramref name="exitCode"/>.</summary>
    public void Abort(int exitCode) => Environment.Exit(exitCode);
}

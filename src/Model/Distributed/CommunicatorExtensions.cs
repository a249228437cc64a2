using System.Runtime.InteropServices;

namespace RecurrentAE.Model.Distributed;

/// <summary>Typed broadcasts and the gathers built from the four collectives of <see cref="ICommunicator"/>.</summary>
public static class CommunicatorExtensions
{
    /// <summary>Copies <paramref name="root"/>'s floats into every other rank's <paramref name="values"/>.</summary>
    public static void Broadcast(this ICommunicator communicator, Span<float> values, int root = 0) =>
        communicator.Broadcast(MemoryMarshal.AsBytes(values), root);

    /// <summary>Copies <paramref name="root"/>'s doubles into every other rank's <paramref name="values"/>.</summary>
    public static void Broadcast(this ICommunicator communicator, Span<double> values, int root = 0) =>
        communicator.Broadcast(MemoryMarshal.AsBytes(values), root);

    /// <summary>True when any rank passes true (a vote, decided the same on every rank).</summary>
    public static bool Any(this ICommunicator communicator, bool value)
    {
        if (communicator.Size == 1) return value;
        Span<double> vote = [value ? 1 : 0];
        communicator.AllReduceSum(vote);
        return vote[0] > 0;
    }

    /// <summary>Every rank's <paramref name="local"/> rows (rank r's are rows <see cref="Shard.Of"/>(rows, r, size) of
    /// <paramref name="rowLength"/> values each), assembled in row order on every rank. An all-reduce of a zero-filled
    /// buffer in which each rank fills its own rows: adding zeros is exact, so the result is bit for bit the rows given.</summary>
    public static float[] GatherRows(this ICommunicator communicator, ReadOnlySpan<float> local, int rows, int rowLength)
    {
        var range = Shard.Of(rows, communicator.Rank, communicator.Size);
        if (local.Length != range.Count * rowLength)
            throw new ArgumentException($"rank {communicator.Rank} holds {local.Length} values for {range.Count} rows of {rowLength}");
        if (communicator.Size == 1) return local.ToArray();
        var all = new float[(long)rows * rowLength];
        local.CopyTo(all.AsSpan(range.Start * rowLength));
        communicator.AllReduceSum(all);
        return all;
    }
}

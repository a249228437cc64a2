namespace RecurrentAE.Model.Distributed;

/// <summary>
/// The few collective operations data-parallel training and scoring need, over a fixed group of ranks (processes under
/// mpirun, threads in a test). Every rank must call the same collectives in the same order with the same lengths; a
/// collective returns on a rank once every rank has entered it. Implementations: <see cref="SingleProcessCommunicator"/>
/// (one rank, every call a no-op), <see cref="InProcessCommunicator"/> (N ranks as threads, for tests) and
/// <see cref="OpenMpi.OpenMpiCommunicator"/> (Open MPI's MPI_COMM_WORLD).
/// </summary>
public interface ICommunicator
{
    /// <summary>This rank, 0 .. <see cref="Size"/> - 1; rank 0 prints and writes.</summary>
    int Rank { get; }

    /// <summary>The number of ranks.</summary>
    int Size { get; }

    /// <summary>Replaces <paramref name="values"/> on every rank with the element-wise sum over all ranks (float32, in
    /// an order fixed by the implementation).</summary>
    void AllReduceSum(Span<float> values);

    /// <summary>Replaces <paramref name="values"/> on every rank with the element-wise sum over all ranks (float64).</summary>
    void AllReduceSum(Span<double> values);

    /// <summary>Copies <paramref name="root"/>'s <paramref name="data"/> into every other rank's (same length everywhere).</summary>
    void Broadcast(Span<byte> data, int root);

    /// <summary>Returns once every rank has called it.</summary>
    void Barrier();

    /// <summary>Ends every rank of the group with <paramref name="exitCode"/> (MPI_Abort); under MPI it does not return.
    /// Called by a rank that failed, so the others do not wait for it forever.</summary>
    void Abort(int exitCode);
}

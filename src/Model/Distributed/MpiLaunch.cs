using System.Globalization;
using RecurrentAE.Model.Distributed.OpenMpi;

namespace RecurrentAE.Model.Distributed;

/// <summary>
/// How this process was launched: mpirun (Open MPI) sets OMPI_COMM_WORLD_SIZE, OMPI_COMM_WORLD_RANK and
/// OMPI_COMM_WORLD_LOCAL_RANK in every rank's environment. <see cref="World"/> is MPI_COMM_WORLD under mpirun with more
/// than one rank, and <see cref="SingleProcessCommunicator"/> otherwise (MPI is then never loaded).
/// </summary>
public static class MpiLaunch
{
    private static readonly Lock Gate = new();
    private static ICommunicator? _world;

    /// <summary>The number of ranks mpirun started (1 without mpirun).</summary>
    public static int LaunchedSize => Variable("OMPI_COMM_WORLD_SIZE") ?? 1;

    /// <summary>This rank among the ranks on the same machine (0 without mpirun): rank r of a node takes GPU r modulo the
    /// GPUs it sees.</summary>
    public static int LocalRank => Variable("OMPI_COMM_WORLD_LOCAL_RANK") ?? 0;

    /// <summary>The process's communicator, created on first use (MPI_Init under mpirun with more than one rank).
    /// Throws <see cref="MpiUnavailableException"/> when mpirun launched several ranks but libmpi cannot be loaded.</summary>
    public static ICommunicator World
    {
        get
        {
            lock (Gate)
                return _world ??= LaunchedSize > 1 ? OpenMpiCommunicator.Initialize() : SingleProcessCommunicator.Instance;
        }
    }

    /// <summary>Finalises MPI if <see cref="World"/> initialised it (call once, before the process exits normally).</summary>
    public static void Shutdown()
    {
        lock (Gate)
            if (_world is IDisposable mpi) mpi.Dispose();
    }

    private static int? Variable(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : null;
}

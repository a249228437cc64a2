namespace RecurrentAE.Model.Distributed.OpenMpi;

/// <summary>
/// MPI_COMM_WORLD of Open MPI: initialised once per process (<see cref="Initialize"/>), finalised at exit
/// (<see cref="Dispose"/>). Every collective runs in place on host memory; a failing MPI call ends the job, as MPI's
/// default error handler (MPI_ERRORS_ARE_FATAL) does.
/// </summary>
public sealed unsafe class OpenMpiCommunicator : ICommunicator, IDisposable
{
    private readonly OpenMpiLibrary _mpi;
    private bool _finalized;

    private OpenMpiCommunicator(OpenMpiLibrary mpi, int rank, int size)
    {
        _mpi = mpi;
        Rank = rank;
        Size = size;
    }

    /// <summary>Loads libmpi and calls MPI_Init_thread (serialized). Throws <see cref="MpiUnavailableException"/> with
    /// what to install when Open MPI cannot be loaded.</summary>
    public static OpenMpiCommunicator Initialize()
    {
        var mpi = OpenMpiLibrary.TryLoad(out var reason)
            ?? throw new MpiUnavailableException($"launched by mpirun, but Open MPI's {OpenMpiLibrary.SoName} cannot be loaded ({reason}): install it with scripts/setup.sh --mpi (Debian: apt-get install openmpi-bin libopenmpi-dev)");
        int initialized, provided, rank, size;
        Check(mpi.Initialized(&initialized), "MPI_Initialized");
        if (initialized == 0) Check(mpi.InitThread(null, null, OpenMpiLibrary.ThreadSerialized, &provided), "MPI_Init_thread");
        Check(mpi.CommRank(mpi.CommWorld, &rank), "MPI_Comm_rank");
        Check(mpi.CommSize(mpi.CommWorld, &size), "MPI_Comm_size");
        return new OpenMpiCommunicator(mpi, rank, size);
    }

    /// <summary>Whether Open MPI's library can be loaded here (nothing is initialised).</summary>
    public static bool IsInstalled => OpenMpiLibrary.TryLoad(out _) is not null;

    /// <summary>This process's rank in MPI_COMM_WORLD.</summary>
    public int Rank { get; }

    /// <summary>The number of processes in MPI_COMM_WORLD.</summary>
    public int Size { get; }

    /// <summary>MPI_Allreduce(MPI_IN_PLACE, values, MPI_FLOAT, MPI_SUM).</summary>
    public void AllReduceSum(Span<float> values)
    {
        fixed (float* p = values) Check(_mpi.Allreduce(OpenMpiLibrary.InPlace, p, values.Length, _mpi.Float, _mpi.Sum, _mpi.CommWorld), "MPI_Allreduce");
    }

    /// <summary>MPI_Allreduce(MPI_IN_PLACE, values, MPI_DOUBLE, MPI_SUM).</summary>
    public void AllReduceSum(Span<double> values)
    {
        fixed (double* p = values) Check(_mpi.Allreduce(OpenMpiLibrary.InPlace, p, values.Length, _mpi.Double, _mpi.Sum, _mpi.CommWorld), "MPI_Allreduce");
    }

    /// <summary>MPI_Bcast of bytes from <paramref name="root"/>.</summary>
    public void Broadcast(Span<byte> data, int root)
    {
        fixed (byte* p = data) Check(_mpi.Bcast(p, data.Length, _mpi.Byte, root, _mpi.CommWorld), "MPI_Bcast");
    }

    /// <summary>MPI_Barrier.</summary>
    public void Barrier() => Check(_mpi.BarrierFn(_mpi.CommWorld), "MPI_Barrier");

    /// <summary>MPI_Abort on MPI_COMM_WORLD: mpirun ends every rank; this call does not return.</summary>
    public void Abort(int exitCode)
    {
        _mpi.AbortFn(_mpi.CommWorld, exitCode);
        Environment.Exit(exitCode); // not reached: MPI_Abort ends the process
    }

    /// <summary>MPI_Finalize (once; every rank must call it before it exits normally).</summary>
    public void Dispose()
    {
        if (_finalized) return;
        _finalized = true;
        int finalized;
        if (_mpi.Finalized(&finalized) == 0 && finalized == 0) _mpi.FinalizeFn();
    }

    /// <summary>The handles this binding found, by name (for a test of the lookup): every one a non-zero address.</summary>
    internal static IReadOnlyDictionary<string, IntPtr>? Handles()
    {
        var mpi = OpenMpiLibrary.TryLoad(out _);
        return mpi is null ? null : new Dictionary<string, IntPtr>
        {
            ["MPI_COMM_WORLD"] = mpi.CommWorld, ["MPI_FLOAT"] = mpi.Float, ["MPI_DOUBLE"] = mpi.Double,
            ["MPI_BYTE"] = mpi.Byte, ["MPI_SUM"] = mpi.Sum,
        };
    }

    private static void Check(int code, string function)
    {
        if (code != 0) throw new InvalidOperationException($"{function} failed with MPI error {code}");
    }
}

/// <summary>The process was launched by mpirun but Open MPI cannot be loaded; the message says how to install it.</summary>
public sealed class MpiUnavailableException(string message) : Exception(message);

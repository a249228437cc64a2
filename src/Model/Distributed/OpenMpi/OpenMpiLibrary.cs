using System.Runtime.InteropServices;

namespace RecurrentAE.Model.Distributed.OpenMpi;

/// <summary>
/// The handful of MPI functions data parallelism needs, bound at run time from Open MPI's <c>libmpi.so.40</c> (MPI.NET,
/// the NuGet binding, targets Microsoft MPI on Windows only). In Open MPI's ABI a handle (MPI_Comm, MPI_Datatype, MPI_Op)
/// is the address of an exported global: <c>MPI_COMM_WORLD</c> is <c>&amp;ompi_mpi_comm_world</c>, <c>MPI_FLOAT</c> is
/// <c>&amp;ompi_mpi_float</c>, <c>MPI_SUM</c> is <c>&amp;ompi_mpi_op_sum</c> (mpi.h: OMPI_PREDEFINED_GLOBAL), so
/// <see cref="NativeLibrary.GetExport"/> finds them; <c>MPI_IN_PLACE</c> is <c>(void*)1</c>.
/// </summary>
internal sealed unsafe class OpenMpiLibrary
{
    /// <summary>The shared library's soname (Open MPI 3.x, 4.x and 5.x).</summary>
    public const string SoName = "libmpi.so.40";

    /// <summary>MPI_THREAD_SERIALIZED: any thread may call MPI, one at a time (.NET may resume a command on another thread).</summary>
    public const int ThreadSerialized = 2;

    /// <summary>Open MPI's MPI_IN_PLACE.</summary>
    public static readonly IntPtr InPlace = 1;

    private OpenMpiLibrary(IntPtr handle)
    {
        IntPtr F(string name) => NativeLibrary.GetExport(handle, name);
        CommWorld = F("ompi_mpi_comm_world");
        Float = F("ompi_mpi_float");
        Double = F("ompi_mpi_double");
        Byte = F("ompi_mpi_byte");
        Sum = F("ompi_mpi_op_sum");
        InitThread = (delegate* unmanaged<int*, byte***, int, int*, int>)F("MPI_Init_thread");
        Initialized = (delegate* unmanaged<int*, int>)F("MPI_Initialized");
        Finalized = (delegate* unmanaged<int*, int>)F("MPI_Finalized");
        CommRank = (delegate* unmanaged<IntPtr, int*, int>)F("MPI_Comm_rank");
        CommSize = (delegate* unmanaged<IntPtr, int*, int>)F("MPI_Comm_size");
        Allreduce = (delegate* unmanaged<IntPtr, void*, int, IntPtr, IntPtr, IntPtr, int>)F("MPI_Allreduce");
        Bcast = (delegate* unmanaged<void*, int, IntPtr, int, IntPtr, int>)F("MPI_Bcast");
        BarrierFn = (delegate* unmanaged<IntPtr, int>)F("MPI_Barrier");
        AbortFn = (delegate* unmanaged<IntPtr, int, int>)F("MPI_Abort");
        FinalizeFn = (delegate* unmanaged<int>)F("MPI_Finalize");
    }

    /// <summary>Loads libmpi; null (with the loader's reason) when it is not installed.</summary>
    public static OpenMpiLibrary? TryLoad(out string? reason)
    {
        reason = null;
        // RTLD_GLOBAL: Open MPI's plugins (mca_*.so) resolve symbols of libmpi/libopen-pal from the global namespace, as
        // when a C program links libmpi; .NET's NativeLibrary.Load opens with RTLD_LOCAL.
        var handle = DlOpen(SoName, RtldNow | RtldGlobal);
        if (handle == IntPtr.Zero)
        {
            reason = Marshal.PtrToStringUTF8(DlError()) ?? $"{SoName} not found";
            return null;
        }
        try
        {
            return new OpenMpiLibrary(handle);
        }
        catch (EntryPointNotFoundException e)
        {
            reason = $"{SoName} is not Open MPI's ({e.Message})";
            return null;
        }
    }

    public IntPtr CommWorld { get; }
    public IntPtr Float { get; }
    public IntPtr Double { get; }
    public IntPtr Byte { get; }
    public IntPtr Sum { get; }
    public delegate* unmanaged<int*, byte***, int, int*, int> InitThread { get; }
    public delegate* unmanaged<int*, int> Initialized { get; }
    public delegate* unmanaged<int*, int> Finalized { get; }
    public delegate* unmanaged<IntPtr, int*, int> CommRank { get; }
    public delegate* unmanaged<IntPtr, int*, int> CommSize { get; }
    public delegate* unmanaged<IntPtr, void*, int, IntPtr, IntPtr, IntPtr, int> Allreduce { get; }
    public delegate* unmanaged<void*, int, IntPtr, int, IntPtr, int> Bcast { get; }
    public delegate* unmanaged<IntPtr, int> BarrierFn { get; }
    public delegate* unmanaged<IntPtr, int, int> AbortFn { get; }
    public delegate* unmanaged<int> FinalizeFn { get; }

    private const int RtldNow = 2, RtldGlobal = 0x100;

    [DllImport("libc", EntryPoint = "dlopen")]
    private static extern IntPtr DlOpen(string file, int mode);

    [DllImport("libc", EntryPoint = "dlerror")]
    private static extern IntPtr DlError();
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RecurrentAE.Kernels.Cpu;

/// <summary>Float memory of the CPU backend: a pinned managed array, so kernels (and worker threads) can use raw pointers
/// without a fixed block, and the GC still owns the memory (no leak when a backend is not disposed).</summary>
internal sealed class CpuArray : DeviceArray
{
    public readonly float[] Data;
    private readonly PinnedHandle? _pin;

    /// <summary>A new zero-filled array on the pinned object heap.</summary>
    public CpuArray(int length) => Data = GC.AllocateArray<float>(length, pinned: true);

    /// <summary>A host array used in place (<see cref="IComputeBackend.Adopt"/>), pinned until disposed or collected.</summary>
    public CpuArray(float[] adopted)
    {
        ArgumentNullException.ThrowIfNull(adopted);
        Data = adopted;
        _pin = new PinnedHandle(adopted);
    }

    public override int Length => Data.Length;
    public override void Dispose() => _pin?.Dispose();
}

/// <summary>Pins an adopted array; frees the pin when disposed, or when collected if never disposed.</summary>
internal sealed class PinnedHandle : IDisposable
{
    private GCHandle _handle;

    public PinnedHandle(float[] array) => _handle = GCHandle.Alloc(array, GCHandleType.Pinned);

    ~PinnedHandle() => Free();

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        if (_handle.IsAllocated) _handle.Free();
    }
}

/// <summary>Int memory of the CPU backend.</summary>
internal sealed class CpuIndexArray(int length) : DeviceIndexArray
{
    public readonly int[] Data = new int[length];
    public override int Length => Data.Length;
    public override void Dispose() { }
}

internal static unsafe class CpuSliceExtensions
{
    public static Span<float> Span(this Slice s) => ((CpuArray)s.Array).Data.AsSpan(s.Offset, s.Length);
    public static float[] Data(this Slice s) => ((CpuArray)s.Array).Data;
    public static int[] Data(this DeviceIndexArray a) => ((CpuIndexArray)a).Data;

    /// <summary>The slice's first element; valid for the array's lifetime because CpuArray memory is pinned.</summary>
    public static float* Ptr(this Slice s) =>
        (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(((CpuArray)s.Array).Data)) + s.Offset;
}

/// <summary>A 64-byte aligned scratch block in a pinned array (packing buffers; alignment keeps packed panels on cache lines).</summary>
internal sealed unsafe class AlignedBuffer
{
    private float[] _array = [];
    public float* Pointer { get; private set; }
    public int Capacity { get; private set; }

    /// <summary>Grows (allocating) only when a larger size is first needed; steady-state calls allocate nothing.</summary>
    public float* Ensure(int floats)
    {
        if (floats > Capacity)
        {
            _array = GC.AllocateArray<float>(floats + 16, pinned: true);
            nint p = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array));
            nint aligned = (p + 63) & ~(nint)63;
            Pointer = (float*)aligned;
            Capacity = floats;
        }
        return Pointer;
    }
}

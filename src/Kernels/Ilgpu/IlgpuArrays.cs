using ILGPU;
using ILGPU.Runtime;

namespace RecurrentAE.Kernels.Ilgpu;

/// <summary>Float device memory of the ILGPU backend.</summary>
internal sealed class IlgpuArray(Accelerator accelerator, int length) : DeviceArray
{
    public MemoryBuffer1D<float, Stride1D.Dense> Buffer { get; } = IlgpuMemory.Zeros<float>(accelerator, length);
    public override int Length => length;
    public override void Dispose() => Buffer.Dispose();
}

/// <summary>Int device memory of the ILGPU backend.</summary>
internal sealed class IlgpuIndexArray(Accelerator accelerator, int length) : DeviceIndexArray
{
    public MemoryBuffer1D<int, Stride1D.Dense> Buffer { get; } = IlgpuMemory.Zeros<int>(accelerator, length);
    public override int Length => length;
    public override void Dispose() => Buffer.Dispose();

    public ArrayView<int> View => Buffer.View;
}

internal static class IlgpuMemory
{
    /// <summary>A zero-filled buffer of <paramref name="length"/> values; ILGPU refuses zero-length buffers on some
    /// accelerators, so an empty array keeps one value behind it.</summary>
    public static MemoryBuffer1D<T, Stride1D.Dense> Zeros<T>(Accelerator accelerator, int length) where T : unmanaged
    {
        var buffer = accelerator.Allocate1D<T>(Math.Max(length, 1));
        buffer.MemSetToZero();
        return buffer;
    }
}

internal static class IlgpuSliceExtensions
{
    /// <summary>The slice as a device sub-view. An empty slice maps to a one-element view that kernels never touch.</summary>
    public static ArrayView<float> View(this Slice s)
    {
        var buffer = ((IlgpuArray)s.Array).Buffer;
        if (s.Length == 0) return buffer.View.SubView(0, 1);
        return buffer.View.SubView(s.Offset, s.Length);
    }

    public static ArrayView1D<float, Stride1D.Dense> DenseView(this Slice s) =>
        ((IlgpuArray)s.Array).Buffer.View.SubView(s.Offset, s.Length);
}

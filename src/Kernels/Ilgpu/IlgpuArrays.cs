using ILGPU;
using ILGPU.Runtime;

namespace RecurrentAE.Kernels.Ilgpu;

/// <summary>Float device memory of the ILGPU backend.</summary>
internal sealed class IlgpuArray : DeviceArray
{
    public IlgpuArray(Accelerator accelerator, int length)
    {
        // ILGPU refuses zero-length buffers on some accelerators; keep one float behind an empty array.
        Buffer = accelerator.Allocate1D<float>(Math.Max(length, 1));
        Buffer.MemSetToZero();
        LengthValue = length;
    }

    public MemoryBuffer1D<float, Stride1D.Dense> Buffer { get; }
    private int LengthValue { get; }
    public override int Length => LengthValue;
    public override void Dispose() => Buffer.Dispose();
}

/// <summary>Int device memory of the ILGPU backend.</summary>
internal sealed class IlgpuIndexArray : DeviceIndexArray
{
    public IlgpuIndexArray(Accelerator accelerator, int length)
    {
        Buffer = accelerator.Allocate1D<int>(Math.Max(length, 1));
        Buffer.MemSetToZero();
        LengthValue = length;
    }

    public MemoryBuffer1D<int, Stride1D.Dense> Buffer { get; }
    private int LengthValue { get; }
    public override int Length => LengthValue;
    public override void Dispose() => Buffer.Dispose();

    public ArrayView<int> View => Buffer.View;
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

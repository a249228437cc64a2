namespace RecurrentAE.Kernels.Cpu;

/// <summary>Float memory of the CPU backend: a plain managed array.</summary>
internal sealed class CpuArray(int length) : DeviceArray
{
    public readonly float[] Data = new float[length];
    public override int Length => Data.Length;
    public override void Dispose() { }
}

/// <summary>Int memory of the CPU backend.</summary>
internal sealed class CpuIndexArray(int length) : DeviceIndexArray
{
    public readonly int[] Data = new int[length];
    public override int Length => Data.Length;
    public override void Dispose() { }
}

internal static class CpuSliceExtensions
{
    public static Span<float> Span(this Slice s) => ((CpuArray)s.Array).Data.AsSpan(s.Offset, s.Length);
    public static float[] Data(this Slice s) => ((CpuArray)s.Array).Data;
    public static int[] Data(this DeviceIndexArray a) => ((CpuIndexArray)a).Data;
}

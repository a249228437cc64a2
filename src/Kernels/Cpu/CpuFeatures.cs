using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RecurrentAE.Kernels.Cpu;

/// <summary>Which vector width the CPU kernels use. Tests pick each one explicitly to cover every path on one machine.</summary>
internal enum SimdLevel
{
    Scalar,
    Vector256,
    Vector512,
}

internal static class CpuFeatures
{
    /// <summary>The widest path this machine runs natively: Vector512 needs AVX-512F, Vector256 needs AVX2 + FMA
    /// (without FMA the fused multiply-add would be emulated in software and lose to scalar code).</summary>
    public static SimdLevel Best
    {
        get
        {
            if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported) return SimdLevel.Vector512;
            if (Vector256.IsHardwareAccelerated && Avx2.IsSupported && Fma.IsSupported) return SimdLevel.Vector256;
            return SimdLevel.Scalar;
        }
    }
}

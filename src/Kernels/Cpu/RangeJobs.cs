using System.Runtime.Intrinsics;

namespace RecurrentAE.Kernels.Cpu;

/// <summary>Adam and the column sum split over the pool in contiguous ranges cut at multiples of 16 floats.</summary>
internal sealed unsafe class RangeJob : ParallelJob
{
    public enum Op { Adam, ColumnSum }

    public SimdLevel Level;
    public Op Kind;
    public int Length, Rows;
    public bool Accumulate;
    public float* X, G, M, V, Sums;
    public float StepSize, Beta1, Beta2, Epsilon;

    public override void Execute(int index, int count, int thread)
    {
        int lo = (int)((long)Length * index / count) & ~15, hi = index + 1 == count ? Length : (int)((long)Length * (index + 1) / count) & ~15;
        if (hi <= lo) return;
        switch (Level)
        {
            case SimdLevel.Vector512: Run<V512, Vector512<float>>(lo, hi); break;
            case SimdLevel.Vector256: Run<V256, Vector256<float>>(lo, hi); break;
            default: Run<Scalar1, float>(lo, hi); break;
        }
    }

    private void Run<S, TV>(int lo, int hi) where S : struct, ISimd<TV> where TV : struct
    {
        if (Kind == Op.Adam) Pointwise.Adam<S, TV>(lo, hi, X, G, M, V, StepSize, Beta1, Beta2, Epsilon);
        else Pointwise.ColumnSum<S, TV>(lo, hi, X, Rows, Length, Sums, Accumulate);
    }
}

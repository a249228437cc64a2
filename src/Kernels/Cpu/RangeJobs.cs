using System.Runtime.Intrinsics;

namespace RecurrentAE.Kernels.Cpu;

/// <summary>Adam, the column sum, fills and the BCE loss split over the pool in contiguous ranges cut at multiples of
/// 16 floats (the BCE at multiples of its 1024-value blocks). Each chunk's BCE sum goes to its own slot, summed in chunk
/// order by the caller.</summary>
internal sealed unsafe class RangeJob(int threads) : ParallelJob
{
    public enum Op { Adam, ColumnSum, Fill, Bce }

    public SimdLevel Level;
    public Op Kind;
    public int Length, Rows;
    public bool Accumulate;
    public float* X, G, M, V, Sums;
    public float StepSize, Beta1, Beta2, Epsilon, Value;

    /// <summary>Per-chunk results of <see cref="Op.Bce"/>.</summary>
    public readonly double[] Partial = new double[Math.Max(1, threads)];

    public override void Execute(int index, int count, int thread)
    {
        int align = Kind == Op.Bce ? 1024 : 16;
        int lo = (int)((long)Length * index / count) / align * align;
        int hi = index + 1 == count ? Length : (int)((long)Length * (index + 1) / count) / align * align;
        if (Kind == Op.Bce) Partial[index] = 0;
        if (hi <= lo) return;
        switch (Level)
        {
            case SimdLevel.Vector512: Run<V512, Vector512<float>>(index, lo, hi); break;
            case SimdLevel.Vector256: Run<V256, Vector256<float>>(index, lo, hi); break;
            default: Run<Scalar1, float>(index, lo, hi); break;
        }
    }

    private void Run<S, TV>(int index, int lo, int hi) where S : struct, ISimd<TV> where TV : struct
    {
        switch (Kind)
        {
            case Op.Adam: Pointwise.Adam<S, TV>(lo, hi, X, G, M, V, StepSize, Beta1, Beta2, Epsilon); break;
            case Op.ColumnSum: Pointwise.ColumnSum<S, TV>(lo, hi, X, Rows, Length, Sums, Accumulate); break;
            case Op.Fill: new Span<float>(X + lo, hi - lo).Fill(Value); break;
            case Op.Bce: Partial[index] = Pointwise.Bce<S, TV>(lo, hi, X, G, Value, M); break;
        }
    }
}

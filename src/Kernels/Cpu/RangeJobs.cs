namespace RecurrentAE.Kernels.Cpu;

/// <summary>An elementwise op over ranges [from, to) of [0, length), written once over the vector width; its fields
/// name its operands.</summary>
internal interface IRangeOp
{
    /// <summary>Chunks are cut at multiples of this many floats (a whole number of vectors, or of an op's summing blocks).</summary>
    int Align { get; }

    /// <summary>The op over [from, to), the range of chunk <paramref name="chunk"/>.</summary>
    void Run<S, TV>(int chunk, int from, int to) where S : struct, ISimd<TV> where TV : struct;
}

/// <summary>The one driver of the elementwise ops: [0, <see cref="Length"/>) split over the pool in contiguous ranges cut
/// at multiples of the op's <see cref="IRangeOp.Align"/>.</summary>
internal sealed class RangeJob<TOp> : SimdJob where TOp : struct, IRangeOp
{
    public TOp Op;
    public int Length;

    protected override void Run<S, TV>(int chunk, int chunks, int thread)
    {
        int align = Op.Align;
        int lo = (int)((long)Length * chunk / chunks) / align * align;
        int hi = chunk + 1 == chunks ? Length : (int)((long)Length * (chunk + 1) / chunks) / align * align;
        Op.Run<S, TV>(chunk, lo, hi);
    }
}

/// <summary>Keras Adam (see <see cref="AdamStep"/>) over a flat parameter buffer.</summary>
internal unsafe struct AdamOp : IRangeOp
{
    public float* Weights, Gradients, FirstMoment, SecondMoment;
    public AdamSettings Settings;
    public float StepSize;

    public readonly int Align => 16;

    public readonly void Run<S, TV>(int chunk, int from, int to) where S : struct, ISimd<TV> where TV : struct =>
        Pointwise.Adam<S, TV>(from, to, Weights, Gradients, FirstMoment, SecondMoment, StepSize, Settings.Beta1, Settings.Beta2, Settings.Epsilon);
}

/// <summary>sums[j] (+)= sum_i x[i * cols + j], split over the columns.</summary>
internal unsafe struct ColumnSumOp : IRangeOp
{
    public float* X, Sums;
    public int Rows, Cols;
    public bool Accumulate;

    public readonly int Align => 16;

    public readonly void Run<S, TV>(int chunk, int from, int to) where S : struct, ISimd<TV> where TV : struct =>
        Pointwise.ColumnSum<S, TV>(from, to, X, Rows, Cols, Sums, Accumulate);
}

/// <summary>destination[i] = value.</summary>
internal unsafe struct FillOp : IRangeOp
{
    public float* Destination;
    public float Value;

    public readonly int Align => 16;

    public readonly void Run<S, TV>(int chunk, int from, int to) where S : struct, ISimd<TV> where TV : struct =>
        new Span<float>(Destination + from, to - from).Fill(Value);
}

/// <summary>The clipped BCE sum of each block of <see cref="Block"/> values into its own slot of <see cref="Partial"/>
/// (summed in block order by the caller, so the sum does not depend on the threads), and the gradient through the sigmoid
/// unless it is null. Chunks are cut at the blocks.</summary>
internal unsafe struct BceOp : IRangeOp
{
    /// <summary>Values a partial sum: a whole number of the sum's 64-vector runs at every width.</summary>
    public const int Block = 1024;

    public float* Probabilities, Targets, Gradient;
    public float Scale;
    public double[] Partial;

    public readonly int Align => Block;

    public readonly void Run<S, TV>(int chunk, int from, int to) where S : struct, ISimd<TV> where TV : struct
    {
        for (int start = from; start < to; start += Block)
            Partial[start / Block] = Pointwise.Bce<S, TV>(start, Math.Min(to, start + Block), Probabilities, Targets, Scale, Gradient);
    }
}

/// <summary>p = sigmoid(logits + bias) row by row (see <see cref="Pointwise.BiasSigmoid{S, TV}"/>).</summary>
internal unsafe struct BiasSigmoidOp : ISimdOp
{
    public float* Logits, Bias, Probabilities;
    public int Rows, Cols;

    public readonly void Run<S, TV>() where S : struct, ISimd<TV> where TV : struct
    {
        for (int r = 0; r < Rows; r++)
        {
            long o = (long)r * Cols;
            Pointwise.BiasSigmoid<S, TV>(0, Cols, Logits + o, Bias, Probabilities + o);
        }
    }
}

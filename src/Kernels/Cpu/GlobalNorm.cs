namespace RecurrentAE.Kernels.Cpu;

/// <summary>Clipping by global norm on the CPU: the sum of squares (forward) beside the scale it feeds.</summary>
internal static unsafe class GlobalNorm
{
    /// <summary>sum x[i]^2 over [0, n): float lanes accumulate at most 64 vectors before the partial moves into a double,
    /// so the error is that of short float sums, not of n terms. One thread, fixed order: the same bits at any thread count
    /// (a few hundred thousand parameters take microseconds, far below a training step).</summary>
    public static double SumOfSquares<S, TV>(float* x, int n) where S : struct, ISimd<TV> where TV : struct
    {
        double sum = 0;
        TV acc = S.Zero;
        int block = 0, i = 0;
        for (; i + S.Count <= n; i += S.Count)
        {
            TV v = S.Load(x + i);
            acc = S.Add(acc, S.Mul(v, v));
            if (++block == 64)
            {
                sum += S.Sum(acc);
                acc = S.Zero;
                block = 0;
            }
        }
        sum += S.Sum(acc);
        for (; i < n; i++) sum += (double)x[i] * x[i];
        return sum;
    }

    /// <summary>The clipping factor maxNorm / max(norm, maxNorm) (Keras <c>global_clipnorm</c>); NaN when the norm is NaN.</summary>
    public static float Factor(float sumOfSquares, float maxNorm)
    {
        float norm = MathF.Sqrt(sumOfSquares);
        return float.IsNaN(norm) ? float.NaN : maxNorm / MathF.Max(norm, maxNorm);
    }

    /// <summary>x[i] *= factor over [0, n).</summary>
    public static void Scale<S, TV>(float* x, int n, float factor) where S : struct, ISimd<TV> where TV : struct
    {
        TV f = S.Splat(factor);
        int i = 0;
        for (; i + S.Count <= n; i += S.Count) S.Store(x + i, S.Mul(S.Load(x + i), f));
        for (; i < n; i++) x[i] *= factor;
    }
}

/// <summary><see cref="GlobalNorm.SumOfSquares{S, TV}"/> of x[0, n) into <see cref="Sum"/>.</summary>
internal unsafe struct SumOfSquaresOp : ISimdOp
{
    public float* X;
    public int Length;
    public double Sum;

    public void Run<S, TV>() where S : struct, ISimd<TV> where TV : struct => Sum = GlobalNorm.SumOfSquares<S, TV>(X, Length);
}

/// <summary><see cref="GlobalNorm.Scale{S, TV}"/>: x[0, n) *= factor.</summary>
internal unsafe struct ScaleOp : ISimdOp
{
    public float* X;
    public int Length;
    public float Factor;

    public readonly void Run<S, TV>() where S : struct, ISimd<TV> where TV : struct => GlobalNorm.Scale<S, TV>(X, Length, Factor);
}

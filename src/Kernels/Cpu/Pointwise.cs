namespace RecurrentAE.Kernels.Cpu;

/// <summary>The elementwise ops, vectorised, each over [from, to) with a <see cref="Scalar1"/> tail.</summary>
internal static unsafe class Pointwise
{
    /// <summary>p[j] = sigmoid(logits[j] + bias[j]) for one row.</summary>
    public static void BiasSigmoid<S, TV>(int from, int to, float* logits, float* bias, float* p) where S : struct, ISimd<TV> where TV : struct
    {
        int j = from;
        for (; j + S.Count <= to; j += S.Count)
            S.Store(p + j, VectorActivations.Sigmoid<S, TV>(S.Add(S.Load(logits + j), S.Load(bias + j))));
        if (j < to)
        {
            // the row's tail (28 = 16 + 12 at Vector512) as one masked vector: scalar exp would dominate the op
            int n = to - j;
            S.StoreFirst(p + j, VectorActivations.Sigmoid<S, TV>(S.Add(S.LoadFirst(logits + j, n), S.LoadFirst(bias + j, n))), n);
        }
    }

    /// <summary>Sum of the clipped BCE terms over [from, to), and the gradient through the sigmoid when grad is not null.
    /// Float lanes accumulate at most 64 vectors before the partial sum moves into a double, so the error stays at
    /// float rounding of a short sum, not of 25,000 terms.</summary>
    public static double Bce<S, TV>(int from, int to, float* p, float* y, float scale, float* grad) where S : struct, ISimd<TV> where TV : struct
    {
        TV lo = S.Splat(BceClip.Epsilon), hi = S.Splat(1f - BceClip.Epsilon), one = S.Splat(1f), vs = S.Splat(scale);
        double sum = 0;
        TV acc = S.Zero;
        int block = 0;
        int i = from;
        for (; i + S.Count <= to; i += S.Count)
        {
            TV pv = S.Load(p + i), yv = S.Load(y + i);
            TV pc = S.Min(S.Max(pv, lo), hi);
            TV term = S.Add(S.Mul(yv, S.Log(pc)), S.Mul(S.Sub(one, yv), S.Log(S.Sub(one, pc))));
            acc = S.Sub(acc, term);
            if (grad != null)
            {
                TV clipped = S.Or(S.LessThan(pv, lo), S.GreaterThan(pv, hi));
                S.Store(grad + i, S.Select(clipped, S.Zero, S.Mul(vs, S.Sub(pv, yv))));
            }
            if (++block == 64)
            {
                sum += S.Sum(acc);
                acc = S.Zero;
                block = 0;
            }
        }
        sum += S.Sum(acc);
        if (S.Count > 1 && i < to) sum += Bce<Scalar1, float>(i, to, p, y, scale, grad);
        return sum;
    }

    /// <summary>Keras Adam over [from, to) (see docs/reference.md), in the scalar reference's operation order.</summary>
    public static void Adam<S, TV>(int from, int to, float* w, float* g, float* m, float* v, float a, float b1, float b2, float eps)
        where S : struct, ISimd<TV> where TV : struct
    {
        TV vb1 = S.Splat(b1), vb2 = S.Splat(b2), c1 = S.Splat(1 - b1), c2 = S.Splat(1 - b2), va = S.Splat(a), veps = S.Splat(eps);
        int i = from;
        for (; i + S.Count <= to; i += S.Count)
        {
            TV gv = S.Load(g + i);
            TV mv = S.Add(S.Mul(vb1, S.Load(m + i)), S.Mul(c1, gv));
            TV vv = S.Add(S.Mul(vb2, S.Load(v + i)), S.Mul(S.Mul(c2, gv), gv));
            S.Store(m + i, mv);
            S.Store(v + i, vv);
            S.Store(w + i, S.Sub(S.Load(w + i), S.Div(S.Mul(va, mv), S.Add(S.Sqrt(vv), veps))));
        }
        if (S.Count > 1 && i < to) Adam<Scalar1, float>(i, to, w, g, m, v, a, b1, b2, eps);
    }

    /// <summary>sums[j] (+)= sum_i x[i * cols + j] for columns [from, to): four vectors of columns per pass over the rows.</summary>
    public static void ColumnSum<S, TV>(int from, int to, float* x, int rows, int cols, float* sums, bool accumulate)
        where S : struct, ISimd<TV> where TV : struct
    {
        int w = S.Count, j = from;
        for (; j + 4 * w <= to; j += 4 * w)
        {
            TV s0 = accumulate ? S.Load(sums + j) : S.Zero, s1 = accumulate ? S.Load(sums + j + w) : S.Zero;
            TV s2 = accumulate ? S.Load(sums + j + 2 * w) : S.Zero, s3 = accumulate ? S.Load(sums + j + 3 * w) : S.Zero;
            float* r = x + j;
            for (int i = 0; i < rows; i++, r += cols)
            {
                s0 = S.Add(s0, S.Load(r)); s1 = S.Add(s1, S.Load(r + w)); s2 = S.Add(s2, S.Load(r + 2 * w)); s3 = S.Add(s3, S.Load(r + 3 * w));
            }
            S.Store(sums + j, s0); S.Store(sums + j + w, s1); S.Store(sums + j + 2 * w, s2); S.Store(sums + j + 3 * w, s3);
        }
        for (; j + w <= to; j += w)
        {
            TV s = accumulate ? S.Load(sums + j) : S.Zero;
            float* r = x + j;
            for (int i = 0; i < rows; i++, r += cols) s = S.Add(s, S.Load(r));
            S.Store(sums + j, s);
        }
        if (w > 1 && j < to) ColumnSum<Scalar1, float>(j, to, x, rows, cols, sums, accumulate);
    }
}

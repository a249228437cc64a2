using System.Runtime.CompilerServices;

namespace RecurrentAE.Kernels.Cpu;

/// <summary>
/// The LSTM's per-row elementwise work over a slice of w units, vectorised over units: full vectors, then the row's
/// tail through one zero-padded vector (gate math) or the <see cref="Scalar1"/> instantiation (adds). Gate layout per
/// row: i | f | g | o, each block <c>stride</c> floats apart (Keras order); every pointer points at the slice's first
/// unit (its i gate for gate rows).
/// </summary>
internal static unsafe class LstmPointwise
{
    /// <summary>z = xproj + bias + r (r: the recurrent product h_{t-1} U for the slice, gate blocks rStride apart;
    /// null when h_{t-1} = 0), then the gate activations and the cell update. Writes the activated gates, c and h.
    /// cPrev null means c_{-1} = 0.</summary>
    public static void Forward<S, TV>(int w, int stride, float* r, int rStride, float* xproj, float* bias, float* cPrev,
        float* cOut, float* hOut, float* gates)
        where S : struct, ISimd<TV> where TV : struct
    {
        int u = 0;
        for (; u + S.Count <= w; u += S.Count)
        {
            TV zi = S.Add(S.Load(xproj + u), S.Load(bias + u));
            TV zf = S.Add(S.Load(xproj + stride + u), S.Load(bias + stride + u));
            TV zg = S.Add(S.Load(xproj + 2 * stride + u), S.Load(bias + 2 * stride + u));
            TV zo = S.Add(S.Load(xproj + 3 * stride + u), S.Load(bias + 3 * stride + u));
            if (r != null)
            {
                zi = S.Add(zi, S.Load(r + u));
                zf = S.Add(zf, S.Load(r + rStride + u));
                zg = S.Add(zg, S.Load(r + 2 * rStride + u));
                zo = S.Add(zo, S.Load(r + 3 * rStride + u));
            }
            TV i = VectorActivations.Sigmoid<S, TV>(zi);
            TV f = VectorActivations.Sigmoid<S, TV>(zf);
            TV g = VectorActivations.Tanh<S, TV>(zg);
            TV o = VectorActivations.Sigmoid<S, TV>(zo);
            TV cp = cPrev == null ? S.Zero : S.Load(cPrev + u);
            TV c = S.Add(S.Mul(f, cp), S.Mul(i, g));
            S.Store(cOut + u, c);
            S.Store(hOut + u, S.Mul(o, VectorActivations.Tanh<S, TV>(c)));
            S.Store(gates + u, i);
            S.Store(gates + stride + u, f);
            S.Store(gates + 2 * stride + u, g);
            S.Store(gates + 3 * stride + u, o);
        }
        if (S.Count > 1 && u < w) ForwardTail<S, TV>(w - u, stride, r == null ? null : r + u, rStride, xproj + u, bias + u,
            cPrev == null ? null : cPrev + u, cOut + u, hOut + u, gates + u);
    }

    /// <summary>The last w % width units through one padded vector: the scalar path costs ~10x a lane, and
    /// U = 30 or U = 100 leave 14 or 4 units of every row (a large share of the step at U = 30).</summary>
    private static void ForwardTail<S, TV>(int rem, int stride, float* r, int rStride, float* xproj, float* bias, float* cPrev,
        float* cOut, float* hOut, float* gates)
        where S : struct, ISimd<TV> where TV : struct
    {
        int w = S.Count;
        // the gate blocks of x, b, r and the gates w apart in 4w-wide blocks, then cPrev | c | h
        float* t = stackalloc float[19 * MaxWidth];
        new Span<float>(t, 19 * w).Clear();
        float* x4 = t, b4 = x4 + 4 * w, r4 = b4 + 4 * w, g4 = r4 + 4 * w, tcp = g4 + 4 * w, tc = tcp + w, th = tc + w;
        for (int g = 0; g < 4; g++)
        {
            Copy(xproj + g * stride, x4 + g * w, rem);
            Copy(bias + g * stride, b4 + g * w, rem);
            if (r != null) Copy(r + g * rStride, r4 + g * w, rem);
        }
        if (cPrev != null) Copy(cPrev, tcp, rem);
        Forward<S, TV>(w, w, r4, w, x4, b4, tcp, tc, th, g4);
        for (int g = 0; g < 4; g++) Copy(g4 + g * w, gates + g * stride, rem);
        Copy(tc, cOut, rem);
        Copy(th, hOut, rem);
    }

    private const int MaxWidth = 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(float* from, float* to, int n) => Buffer.MemoryCopy(from, to, n * sizeof(float), n * sizeof(float));

    /// <summary>dz for one row's slice from the saved gates (gate blocks stride apart), and dc carried to step t-1
    /// (see the scalar reference). cPrev null means c_{-1} = 0.</summary>
    public static void Backward<S, TV>(int w, int stride, float* gates, float* c, float* cPrev, float* dh, float* dc, float* dz)
        where S : struct, ISimd<TV> where TV : struct
    {
        TV one = S.Splat(1f);
        int u = 0;
        for (; u + S.Count <= w; u += S.Count)
        {
            TV i = S.Load(gates + u), f = S.Load(gates + stride + u), g = S.Load(gates + 2 * stride + u), o = S.Load(gates + 3 * stride + u);
            TV tc = VectorActivations.Tanh<S, TV>(S.Load(c + u));
            TV cp = cPrev == null ? S.Zero : S.Load(cPrev + u);
            TV dhv = S.Load(dh + u);
            TV dcTotal = S.Add(S.Load(dc + u), S.Mul(S.Mul(dhv, o), S.Sub(one, S.Mul(tc, tc))));
            S.Store(dz + u, S.Mul(S.Mul(S.Mul(dcTotal, g), i), S.Sub(one, i)));
            S.Store(dz + stride + u, S.Mul(S.Mul(S.Mul(dcTotal, cp), f), S.Sub(one, f)));
            S.Store(dz + 2 * stride + u, S.Mul(S.Mul(dcTotal, i), S.Sub(one, S.Mul(g, g))));
            S.Store(dz + 3 * stride + u, S.Mul(S.Mul(S.Mul(dhv, tc), o), S.Sub(one, o)));
            S.Store(dc + u, S.Mul(dcTotal, f));
        }
        if (S.Count > 1 && u < w) BackwardTail<S, TV>(w - u, stride, gates + u, c + u, cPrev == null ? null : cPrev + u, dh + u,
            dc + u, dz + u);
    }

    /// <summary>As <see cref="ForwardTail{S, TV}"/>, for the backward pointwise step.</summary>
    private static void BackwardTail<S, TV>(int rem, int stride, float* gates, float* c, float* cPrev, float* dh, float* dc, float* dz)
        where S : struct, ISimd<TV> where TV : struct
    {
        int w = S.Count;
        float* tg = stackalloc float[4 * MaxWidth];
        float* tdz = stackalloc float[4 * MaxWidth];
        float* t = stackalloc float[4 * MaxWidth]; // c | cPrev | dh | dc
        new Span<float>(tg, 4 * MaxWidth).Clear();
        new Span<float>(t, 4 * MaxWidth).Clear();
        for (int g = 0; g < 4; g++) Copy(gates + g * stride, tg + g * w, rem);
        Copy(c, t, rem);
        if (cPrev != null) Copy(cPrev, t + MaxWidth, rem);
        Copy(dh, t + 2 * MaxWidth, rem);
        Copy(dc, t + 3 * MaxWidth, rem);
        Backward<S, TV>(w, w, tg, t, t + MaxWidth, t + 2 * MaxWidth, t + 3 * MaxWidth, tdz);
        for (int g = 0; g < 4; g++) Copy(tdz + g * w, dz + g * stride, rem);
        Copy(t + 3 * MaxWidth, dc, rem);
    }

    /// <summary>y[j] += x[j], j in [0, n).</summary>
    public static void AddTo<S, TV>(int n, float* x, float* y) where S : struct, ISimd<TV> where TV : struct
    {
        int j = 0;
        for (; j + S.Count <= n; j += S.Count) S.Store(y + j, S.Add(S.Load(y + j), S.Load(x + j)));
        if (S.Count > 1 && j < n) AddTo<Scalar1, float>(n - j, x + j, y + j);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Clear(float* p, int n) => new Span<float>(p, n).Clear();
}

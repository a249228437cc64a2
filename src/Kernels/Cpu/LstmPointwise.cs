using System.Runtime.CompilerServices;

namespace RecurrentAE.Kernels.Cpu;

/// <summary>
/// The LSTM's per-row elementwise work, vectorised over units. Each routine handles [from, to) with full vectors,
/// then finishes the row's tail with one zero-padded vector (gate math) or the <see cref="Scalar1"/> instantiation (adds).
/// Gate layout per row: i | f | g | o, each <c>units</c> wide (Keras order).
/// </summary>
internal static unsafe class LstmPointwise
{
    /// <summary>z[j] = xproj[j] + bias[j]: the start of z_t before the recurrent product accumulates onto it.</summary>
    public static void AddBias<S, TV>(int from, int to, float* xproj, float* bias, float* z) where S : struct, ISimd<TV> where TV : struct
    {
        int j = from;
        for (; j + S.Count <= to; j += S.Count) S.Store(z + j, S.Add(S.Load(xproj + j), S.Load(bias + j)));
        if (S.Count > 1 && j < to) AddBias<Scalar1, float>(j, to, xproj, bias, z);
    }

    /// <summary>Gate activations and the cell update for one row, in place over z (which becomes the saved gates).
    /// cPrev null means c_{-1} = 0.</summary>
    public static void Forward<S, TV>(int from, int units, float* z, float* cPrev, float* cOut, float* hOut)
        where S : struct, ISimd<TV> where TV : struct
    {
        int u = from;
        for (; u + S.Count <= units; u += S.Count)
        {
            TV i = VectorActivations.Sigmoid<S, TV>(S.Load(z + u));
            TV f = VectorActivations.Sigmoid<S, TV>(S.Load(z + units + u));
            TV g = VectorActivations.Tanh<S, TV>(S.Load(z + 2 * units + u));
            TV o = VectorActivations.Sigmoid<S, TV>(S.Load(z + 3 * units + u));
            TV cp = cPrev == null ? S.Zero : S.Load(cPrev + u);
            TV c = S.Add(S.Mul(f, cp), S.Mul(i, g));
            S.Store(cOut + u, c);
            S.Store(hOut + u, S.Mul(o, VectorActivations.Tanh<S, TV>(c)));
            S.Store(z + u, i);
            S.Store(z + units + u, f);
            S.Store(z + 2 * units + u, g);
            S.Store(z + 3 * units + u, o);
        }
        if (S.Count > 1 && u < units) ForwardTail<S, TV>(u, units, z, cPrev, cOut, hOut);
    }

    /// <summary>The last units % width units through one padded vector: the scalar path costs ~10x a lane, and
    /// U = 30 or U = 100 leave 14 or 4 units of every row (a large share of the step at U = 30).</summary>
    private static void ForwardTail<S, TV>(int u, int units, float* z, float* cPrev, float* cOut, float* hOut)
        where S : struct, ISimd<TV> where TV : struct
    {
        int w = S.Count, rem = units - u;
        float* tz = stackalloc float[4 * MaxWidth];
        float* tcp = stackalloc float[MaxWidth];
        float* tc = stackalloc float[MaxWidth];
        float* th = stackalloc float[MaxWidth];
        new Span<float>(tz, 4 * MaxWidth).Clear();
        new Span<float>(tcp, MaxWidth).Clear();
        for (int g = 0; g < 4; g++) Copy(z + g * units + u, tz + g * w, rem);
        if (cPrev != null) Copy(cPrev + u, tcp, rem);
        Forward<S, TV>(0, w, tz, tcp, tc, th);
        for (int g = 0; g < 4; g++) Copy(tz + g * w, z + g * units + u, rem);
        Copy(tc, cOut + u, rem);
        Copy(th, hOut + u, rem);
    }

    private const int MaxWidth = 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(float* from, float* to, int n) => Buffer.MemoryCopy(from, to, n * sizeof(float), n * sizeof(float));

    /// <summary>dz for one row from the saved gates, and dc carried to step t-1 (see the scalar reference).</summary>
    public static void Backward<S, TV>(int from, int units, float* gates, float* c, float* cPrev, float* dh, float* dc, float* dz)
        where S : struct, ISimd<TV> where TV : struct
    {
        TV one = S.Splat(1f);
        int u = from;
        for (; u + S.Count <= units; u += S.Count)
        {
            TV i = S.Load(gates + u), f = S.Load(gates + units + u), g = S.Load(gates + 2 * units + u), o = S.Load(gates + 3 * units + u);
            TV tc = VectorActivations.Tanh<S, TV>(S.Load(c + u));
            TV cp = cPrev == null ? S.Zero : S.Load(cPrev + u);
            TV dhv = S.Load(dh + u);
            TV dcTotal = S.Add(S.Load(dc + u), S.Mul(S.Mul(dhv, o), S.Sub(one, S.Mul(tc, tc))));
            S.Store(dz + u, S.Mul(S.Mul(S.Mul(dcTotal, g), i), S.Sub(one, i)));
            S.Store(dz + units + u, S.Mul(S.Mul(S.Mul(dcTotal, cp), f), S.Sub(one, f)));
            S.Store(dz + 2 * units + u, S.Mul(S.Mul(dcTotal, i), S.Sub(one, S.Mul(g, g))));
            S.Store(dz + 3 * units + u, S.Mul(S.Mul(S.Mul(dhv, tc), o), S.Sub(one, o)));
            S.Store(dc + u, S.Mul(dcTotal, f));
        }
        if (S.Count > 1 && u < units) BackwardTail<S, TV>(u, units, gates, c, cPrev, dh, dc, dz);
    }

    /// <summary>As <see cref="ForwardTail{S, TV}"/>, for the backward pointwise step.</summary>
    private static void BackwardTail<S, TV>(int u, int units, float* gates, float* c, float* cPrev, float* dh, float* dc, float* dz)
        where S : struct, ISimd<TV> where TV : struct
    {
        int w = S.Count, rem = units - u;
        float* tg = stackalloc float[4 * MaxWidth];
        float* tdz = stackalloc float[4 * MaxWidth];
        float* t = stackalloc float[4 * MaxWidth]; // c | cPrev | dh | dc
        new Span<float>(tg, 4 * MaxWidth).Clear();
        new Span<float>(t, 4 * MaxWidth).Clear();
        for (int g = 0; g < 4; g++) Copy(gates + g * units + u, tg + g * w, rem);
        Copy(c + u, t, rem);
        if (cPrev != null) Copy(cPrev + u, t + MaxWidth, rem);
        Copy(dh + u, t + 2 * MaxWidth, rem);
        Copy(dc + u, t + 3 * MaxWidth, rem);
        Backward<S, TV>(0, w, tg, t, t + MaxWidth, t + 2 * MaxWidth, t + 3 * MaxWidth, tdz);
        for (int g = 0; g < 4; g++) Copy(tdz + g * w, dz + g * units + u, rem);
        Copy(t + 3 * MaxWidth, dc + u, rem);
    }

    /// <summary>y[j] += x[j].</summary>
    public static void AddTo<S, TV>(int from, int to, float* x, float* y) where S : struct, ISimd<TV> where TV : struct
    {
        int j = from;
        for (; j + S.Count <= to; j += S.Count) S.Store(y + j, S.Add(S.Load(y + j), S.Load(x + j)));
        if (S.Count > 1 && j < to) AddTo<Scalar1, float>(j, to, x, y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Clear(float* p, int n) => new Span<float>(p, n).Clear();
}

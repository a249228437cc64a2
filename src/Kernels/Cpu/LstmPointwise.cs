using System.Runtime.CompilerServices;

namespace RecurrentAE.Kernels.Cpu;

/// <summary>
/// The LSTM's per-row elementwise work, vectorised over units: full vectors, then the row's last units % width units
/// as one masked vector (<see cref="ISimd{TV}.LoadFirst"/>; the scalar path costs ~10x a lane, and U = 30 or U = 100
/// leave 14 or 4 units of every row). Gate layout per row: i | f | g | o, each <c>units</c> wide (Keras order).
/// </summary>
internal static unsafe class LstmPointwise
{
    /// <summary>z = xproj + bias + r for one row (r: the row's recurrent product h_{t-1} U; null when h_{t-1} = 0), then
    /// the gate activations and the cell update. Writes the activated gates, c and h. cPrev null means c_{-1} = 0.</summary>
    public static void Forward<S, TV>(int units, float* r, float* xproj, float* bias, float* cPrev, float* cOut, float* hOut, float* gates)
        where S : struct, ISimd<TV> where TV : struct
    {
        int u = 0;
        for (; u + S.Count <= units; u += S.Count) ForwardVector<S, TV>(S.Count, u, units, r, xproj, bias, cPrev, cOut, hOut, gates);
        if (u < units) ForwardVector<S, TV>(units - u, u, units, r, xproj, bias, cPrev, cOut, hOut, gates);
    }

    /// <summary>Units [u, u + n) of <see cref="Forward{S, TV}"/>, n &lt;= width (masked below the full width).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForwardVector<S, TV>(int n, int u, int stride, float* r, float* xproj, float* bias,
        float* cPrev, float* cOut, float* hOut, float* gates)
        where S : struct, ISimd<TV> where TV : struct
    {
        TV zi = S.Add(Load<S, TV>(xproj + u, n), Load<S, TV>(bias + u, n));
        TV zf = S.Add(Load<S, TV>(xproj + stride + u, n), Load<S, TV>(bias + stride + u, n));
        TV zg = S.Add(Load<S, TV>(xproj + 2 * stride + u, n), Load<S, TV>(bias + 2 * stride + u, n));
        TV zo = S.Add(Load<S, TV>(xproj + 3 * stride + u, n), Load<S, TV>(bias + 3 * stride + u, n));
        if (r != null)
        {
            zi = S.Add(zi, Load<S, TV>(r + u, n));
            zf = S.Add(zf, Load<S, TV>(r + stride + u, n));
            zg = S.Add(zg, Load<S, TV>(r + 2 * stride + u, n));
            zo = S.Add(zo, Load<S, TV>(r + 3 * stride + u, n));
        }
        TV i = VectorActivations.Sigmoid<S, TV>(zi);
        TV f = VectorActivations.Sigmoid<S, TV>(zf);
        TV g = VectorActivations.Tanh<S, TV>(zg);
        TV o = VectorActivations.Sigmoid<S, TV>(zo);
        TV cp = cPrev == null ? S.Zero : Load<S, TV>(cPrev + u, n);
        TV c = S.Add(S.Mul(f, cp), S.Mul(i, g));
        Store<S, TV>(cOut + u, c, n);
        Store<S, TV>(hOut + u, S.Mul(o, VectorActivations.Tanh<S, TV>(c)), n);
        Store<S, TV>(gates + u, i, n);
        Store<S, TV>(gates + stride + u, f, n);
        Store<S, TV>(gates + 2 * stride + u, g, n);
        Store<S, TV>(gates + 3 * stride + u, o, n);
    }

    /// <summary>dz for one row from the saved gates, and dc carried to step t-1 (see the scalar reference); dz is also
    /// added into dbias (laid out like a row of dz). cPrev null means c_{-1} = 0.</summary>
    public static void Backward<S, TV>(int units, float* gates, float* c, float* cPrev, float* dh, float* dc, float* dz, float* dbias)
        where S : struct, ISimd<TV> where TV : struct
    {
        int u = 0;
        for (; u + S.Count <= units; u += S.Count) BackwardVector<S, TV>(S.Count, u, units, gates, c, cPrev, dh, dc, dz, dbias);
        if (u < units) BackwardVector<S, TV>(units - u, u, units, gates, c, cPrev, dh, dc, dz, dbias);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BackwardVector<S, TV>(int n, int u, int stride, float* gates, float* c, float* cPrev, float* dh, float* dc, float* dz,
        float* dbias)
        where S : struct, ISimd<TV> where TV : struct
    {
        TV one = S.Splat(1f);
        TV i = Load<S, TV>(gates + u, n), f = Load<S, TV>(gates + stride + u, n);
        TV g = Load<S, TV>(gates + 2 * stride + u, n), o = Load<S, TV>(gates + 3 * stride + u, n);
        TV tc = VectorActivations.Tanh<S, TV>(Load<S, TV>(c + u, n));
        TV cp = cPrev == null ? S.Zero : Load<S, TV>(cPrev + u, n);
        TV dhv = Load<S, TV>(dh + u, n);
        TV dcTotal = S.Add(Load<S, TV>(dc + u, n), S.Mul(S.Mul(dhv, o), S.Sub(one, S.Mul(tc, tc))));
        TV di = S.Mul(S.Mul(S.Mul(dcTotal, g), i), S.Sub(one, i));
        TV df = S.Mul(S.Mul(S.Mul(dcTotal, cp), f), S.Sub(one, f));
        TV dg = S.Mul(S.Mul(dcTotal, i), S.Sub(one, S.Mul(g, g)));
        TV dO = S.Mul(S.Mul(S.Mul(dhv, tc), o), S.Sub(one, o));
        Store<S, TV>(dz + u, di, n);
        Store<S, TV>(dz + stride + u, df, n);
        Store<S, TV>(dz + 2 * stride + u, dg, n);
        Store<S, TV>(dz + 3 * stride + u, dO, n);
        Store<S, TV>(dc + u, S.Mul(dcTotal, f), n);
        Store<S, TV>(dbias + u, S.Add(Load<S, TV>(dbias + u, n), di), n);
        Store<S, TV>(dbias + stride + u, S.Add(Load<S, TV>(dbias + stride + u, n), df), n);
        Store<S, TV>(dbias + 2 * stride + u, S.Add(Load<S, TV>(dbias + 2 * stride + u, n), dg), n);
        Store<S, TV>(dbias + 3 * stride + u, S.Add(Load<S, TV>(dbias + 3 * stride + u, n), dO), n);
    }

    /// <summary>A full vector, or the first n lanes: n is the constant width in the main loops, so the test folds away.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Load<S, TV>(float* p, int n) where S : struct, ISimd<TV> where TV : struct =>
        n == S.Count ? S.Load(p) : S.LoadFirst(p, n);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<S, TV>(float* p, TV v, int n) where S : struct, ISimd<TV> where TV : struct
    {
        if (n == S.Count) S.Store(p, v);
        else S.StoreFirst(p, v, n);
    }

    /// <summary>y[j] += x[j], j in [0, n).</summary>
    public static void AddTo<S, TV>(int n, float* x, float* y) where S : struct, ISimd<TV> where TV : struct
    {
        int j = 0;
        for (; j + S.Count <= n; j += S.Count) S.Store(y + j, S.Add(S.Load(y + j), S.Load(x + j)));
        if (j < n) S.StoreFirst(y + j, S.Add(S.LoadFirst(y + j, n - j), S.LoadFirst(x + j, n - j)), n - j);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Clear(float* p, int n) => new Span<float>(p, n).Clear();
}

using System.Runtime.CompilerServices;

namespace RecurrentAE.Kernels.Cpu;

/// <summary>
/// <see cref="Activations"/> in vector form: the SAME formulas (exp only of non-positive arguments, tanh's Taylor
/// series below 0.25), with the branches turned into lane selects and a vector exp for non-positive arguments. With <see cref="Scalar1"/> they compute exactly
/// what Activations computes; the scalar Activations stay the source of truth.
/// </summary>
internal static class VectorActivations
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Sigmoid<S, TV>(TV x) where S : struct, ISimd<TV> where TV : struct
    {
        TV one = S.Splat(1f);
        TV e = S.ExpNonPositive(S.Neg(S.Abs(x)));
        TV r = S.Div(one, S.Add(one, e));
        return S.Select(S.GreaterOrEqual(x, S.Zero), r, S.Mul(e, r));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Tanh<S, TV>(TV x) where S : struct, ISimd<TV> where TV : struct
    {
        TV one = S.Splat(1f);
        TV a = S.Abs(x);
        TV a2 = S.Mul(a, a);
        // a * (1 + a2 * (-1/3 + a2 * (2/15 + a2 * (-17/315 + a2 * 62/2835)))), evaluated in Activations' order
        TV poly = S.Add(S.Splat(-17f / 315f), S.Mul(a2, S.Splat(62f / 2835f)));
        poly = S.Add(S.Splat(2f / 15f), S.Mul(a2, poly));
        poly = S.Add(S.Splat(-1f / 3f), S.Mul(a2, poly));
        TV taylor = S.Mul(a, S.Add(one, S.Mul(a2, poly)));
        TV e = S.ExpNonPositive(S.Mul(S.Splat(-2f), a));
        TV big = S.Div(S.Sub(one, e), S.Add(one, e));
        TV t = S.Select(S.LessThan(a, S.Splat(0.25f)), taylor, big);
        return S.Select(S.LessThan(x, S.Zero), S.Neg(t), t);
    }
}

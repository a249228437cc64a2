using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RecurrentAE.Kernels.Cpu;

/// <summary>
/// The vector operations the CPU kernels need, as static abstract members so each kernel is written once and the JIT
/// specialises it per width (struct type arguments get their own code, every call inlined). The BCL's ISimdVector is
/// not public in .NET 10, hence this small copy. Widths: <see cref="V512"/>, <see cref="V256"/> and <see cref="Scalar1"/>
/// (one float: the fallback path and every kernel's tail).
/// </summary>
internal unsafe interface ISimd<TV> where TV : struct
{
    static abstract int Count { get; }

    /// <summary>Rows of the GEMM register tile for this width (columns are two vectors).</summary>
    static abstract int TileRows { get; }

    static abstract TV Zero { get; }
    static abstract TV Splat(float x);
    static abstract TV Load(float* p);
    static abstract void Store(float* p, TV v);

    /// <summary>The first n (1..Count) floats at p, zeros in the other lanes; memory past them is not touched (a masked
    /// load does not fault), so a row's last partial vector needs no copy.</summary>
    static abstract TV LoadFirst(float* p, int n);

    /// <summary>Stores the first n (1..Count) lanes of v at p, leaving the memory after them unchanged.</summary>
    static abstract void StoreFirst(float* p, TV v, int n);
    static abstract TV Add(TV a, TV b);
    static abstract TV Sub(TV a, TV b);
    static abstract TV Mul(TV a, TV b);
    static abstract TV Div(TV a, TV b);

    /// <summary>a * b + c (fused where the hardware has it).</summary>
    static abstract TV Fma(TV a, TV b, TV c);
    static abstract TV Abs(TV a);
    static abstract TV Neg(TV a);
    static abstract TV Min(TV a, TV b);
    static abstract TV Max(TV a, TV b);
    static abstract TV Sqrt(TV a);
    static abstract TV Exp(TV a);

    /// <summary>e^x for x &lt;= 0, the only arguments sigmoid and tanh give exp (see <see cref="Activations"/>):
    /// Cephes' expf (Cody-Waite reduction, degree-6 polynomial, ~1 ulp), 0 below -87.3. The BCL's Vector512.Exp
    /// computes in double and cost ~10x more here: it dominated the LSTM's gate math.</summary>
    static abstract TV ExpNonPositive(TV x);
    static abstract TV Log(TV a);

    /// <summary>A mask of all-ones lanes where a &gt;= b / a &lt; b / a &gt; b.</summary>
    static abstract TV GreaterOrEqual(TV a, TV b);
    static abstract TV LessThan(TV a, TV b);
    static abstract TV GreaterThan(TV a, TV b);
    static abstract TV Or(TV a, TV b);

    /// <summary>mask ? a : b, lane by lane.</summary>
    static abstract TV Select(TV mask, TV a, TV b);
    static abstract float Sum(TV a);
}

internal unsafe struct V512 : ISimd<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;
    public static int TileRows => 8; // 8 x 32 tile: 16 zmm accumulators + 2 B vectors + 1 broadcast of 32 registers
    public static Vector512<float> Zero => Vector512<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Splat(float x) => Vector512.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(float* p) => Vector512.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* p, Vector512<float> v) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> LoadFirst(float* p, int n) => Avx512F.MaskLoad(p, First(n), Vector512<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void StoreFirst(float* p, Vector512<float> v, int n) => Avx512F.MaskStore(p, First(n), v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static Vector512<float> First(int n) => Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(n)).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Sub(Vector512<float> a, Vector512<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Mul(Vector512<float> a, Vector512<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Div(Vector512<float> a, Vector512<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Fma(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Abs(Vector512<float> a) => Vector512.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Neg(Vector512<float> a) => -a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Min(Vector512<float> a, Vector512<float> b) => Vector512.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Sqrt(Vector512<float> a) => Vector512.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Exp(Vector512<float> a) => Vector512.Exp(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ExpNonPositive(Vector512<float> x)
    {
        var under = Vector512.LessThan(x, Vector512.Create(-87.33654f));
        x = Vector512.Max(x, Vector512.Create(-87.33654f));
        var n = Vector512.Round(x * Vector512.Create(1.44269504088896341f));
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-0.693359375f), x);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(2.12194440e-4f), r);
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(1.9875691500E-4f), r, Vector512.Create(1.3981999507E-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(8.3334519073E-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(4.1665795894E-2f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.6666665459E-1f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(5.0000001201E-1f));
        var e = Vector512.FusedMultiplyAdd(p * r, r, r) + Vector512.Create(1f);
        var scale = Vector512.ShiftLeft(Vector512.ConvertToInt32(n) + Vector512.Create(127), 23).AsSingle(); // 2^n, n in [-126, 0]
        return Vector512.ConditionalSelect(under, Vector512<float>.Zero, e * scale);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Log(Vector512<float> a) => Vector512.Log(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> GreaterOrEqual(Vector512<float> a, Vector512<float> b) => Vector512.GreaterThanOrEqual(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> LessThan(Vector512<float> a, Vector512<float> b) => Vector512.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> GreaterThan(Vector512<float> a, Vector512<float> b) => Vector512.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Or(Vector512<float> a, Vector512<float> b) => a | b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Select(Vector512<float> m, Vector512<float> a, Vector512<float> b) => Vector512.ConditionalSelect(m, a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector512<float> a) => Vector512.Sum(a);
}

internal unsafe struct V256 : ISimd<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;
    public static int TileRows => 6; // 6 x 16 tile: 12 ymm accumulators + 2 B + 1 broadcast of 16 registers
    public static Vector256<float> Zero => Vector256<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Splat(float x) => Vector256.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(float* p) => Vector256.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* p, Vector256<float> v) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> LoadFirst(float* p, int n) => Avx.MaskLoad(p, First(n));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void StoreFirst(float* p, Vector256<float> v, int n) => Avx.MaskStore(p, First(n), v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static Vector256<float> First(int n) => Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(n)).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Sub(Vector256<float> a, Vector256<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Mul(Vector256<float> a, Vector256<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Div(Vector256<float> a, Vector256<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Abs(Vector256<float> a) => Vector256.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Neg(Vector256<float> a) => -a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Min(Vector256<float> a, Vector256<float> b) => Vector256.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Sqrt(Vector256<float> a) => Vector256.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Exp(Vector256<float> a) => Vector256.Exp(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ExpNonPositive(Vector256<float> x)
    {
        var under = Vector256.LessThan(x, Vector256.Create(-87.33654f));
        x = Vector256.Max(x, Vector256.Create(-87.33654f));
        var n = Vector256.Round(x * Vector256.Create(1.44269504088896341f));
        var r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-0.693359375f), x);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(2.12194440e-4f), r);
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(1.9875691500E-4f), r, Vector256.Create(1.3981999507E-3f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(8.3334519073E-3f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(4.1665795894E-2f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.6666665459E-1f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(5.0000001201E-1f));
        var e = Vector256.FusedMultiplyAdd(p * r, r, r) + Vector256.Create(1f);
        var scale = Vector256.ShiftLeft(Vector256.ConvertToInt32(n) + Vector256.Create(127), 23).AsSingle(); // 2^n, n in [-126, 0]
        return Vector256.ConditionalSelect(under, Vector256<float>.Zero, e * scale);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Log(Vector256<float> a) => Vector256.Log(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> GreaterOrEqual(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThanOrEqual(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> LessThan(Vector256<float> a, Vector256<float> b) => Vector256.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> GreaterThan(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Or(Vector256<float> a, Vector256<float> b) => a | b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Select(Vector256<float> m, Vector256<float> a, Vector256<float> b) => Vector256.ConditionalSelect(m, a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector256<float> a) => Vector256.Sum(a);
}

/// <summary>One float: the path for machines without AVX2/FMA, and every vector kernel's tail. Plain a * b + c, not
/// MathF.FusedMultiplyAdd, which is a slow software call where the hardware has no FMA. Exp/Log are MathF's, so
/// sigmoid/tanh on this path equal <see cref="Activations"/> exactly.</summary>
internal unsafe struct Scalar1 : ISimd<float>
{
    private static readonly float AllOnes = BitConverter.Int32BitsToSingle(-1);
    public static int Count => 1;
    public static int TileRows => 6; // 6 x 2 tile: 12 accumulators + 3 of 16 xmm registers
    public static float Zero => 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Splat(float x) => x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Load(float* p) => *p;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* p, float v) => *p = v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float LoadFirst(float* p, int n) => *p;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void StoreFirst(float* p, float v, int n) => *p = v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Add(float a, float b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sub(float a, float b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Mul(float a, float b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Div(float a, float b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Fma(float a, float b, float c) => a * b + c;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Abs(float a) => MathF.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Neg(float a) => -a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Min(float a, float b) => MathF.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Max(float a, float b) => MathF.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sqrt(float a) => MathF.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Exp(float a) => MathF.Exp(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Log(float a) => MathF.Log(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float ExpNonPositive(float a) => MathF.Exp(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float GreaterOrEqual(float a, float b) => a >= b ? AllOnes : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float LessThan(float a, float b) => a < b ? AllOnes : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float GreaterThan(float a, float b) => a > b ? AllOnes : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Or(float a, float b) =>
        BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(a) | BitConverter.SingleToInt32Bits(b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Select(float m, float a, float b) => BitConverter.SingleToInt32Bits(m) != 0 ? a : b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(float a) => a;
}

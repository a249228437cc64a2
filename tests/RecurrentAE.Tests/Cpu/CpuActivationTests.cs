using System.Runtime.Intrinsics;
using RecurrentAE.Kernels.Cpu;

namespace RecurrentAE.Tests.Cpu;

/// <summary>The vector sigmoid and tanh (the Activations formulas with a polynomial exp for non-positive arguments)
/// against float64 and against the scalar Activations, lane by lane, including the Taylor/exp switch at 0.25,
/// signed zero, and arguments far past exp's range.</summary>
public class CpuActivationTests
{
    private static float[] Inputs()
    {
        var xs = new List<float> { 0f, -0f, 1e-30f, -1e-30f, 0.2499999f, 0.25f, -0.25f, 0.2500001f, 1f, -3f, 20f, 40f, -45f, 87f, -87.5f, 88f, 100f, -100f, 1e30f, -1e30f };
        for (int i = -4000; i <= 4000; i++) xs.Add(i * 0.0123f);
        while (xs.Count % 16 != 0) xs.Add(0.5f);
        return xs.ToArray();
    }

    [Fact]
    public unsafe void Vector512AndVector256MatchFloat64AndScalar()
    {
        var xs = Inputs();
        var s = new float[xs.Length]; var t = new float[xs.Length];
        foreach (var level in new[] { SimdLevel.Vector256, SimdLevel.Vector512 })
        {
            if (!CpuTestUtil.Supported(level)) continue;
            fixed (float* x = xs, ps = s, pt = t)
            {
                if (level == SimdLevel.Vector512)
                    for (int i = 0; i < xs.Length; i += 16)
                    {
                        var v = Vector512.Load(x + i);
                        VectorActivations.Sigmoid<V512, Vector512<float>>(v).Store(ps + i);
                        VectorActivations.Tanh<V512, Vector512<float>>(v).Store(pt + i);
                    }
                else
                    for (int i = 0; i < xs.Length; i += 8)
                    {
                        var v = Vector256.Load(x + i);
                        VectorActivations.Sigmoid<V256, Vector256<float>>(v).Store(ps + i);
                        VectorActivations.Tanh<V256, Vector256<float>>(v).Store(pt + i);
                    }
            }
            for (int i = 0; i < xs.Length; i++)
            {
                double x = xs[i];
                double sig = 1 / (1 + Math.Exp(-x)), th = Math.Tanh(x);
                Assert.True(Math.Abs(s[i] - sig) <= 4e-7 * sig + 1e-38, $"{level} sigmoid({x}) = {s[i]}, want {sig}");
                Assert.True(Math.Abs(t[i] - th) <= 4e-7 * Math.Abs(th) + 1e-38, $"{level} tanh({x}) = {t[i]}, want {th}");
                Assert.True(Math.Abs(s[i] - Activations.Sigmoid(xs[i])) <= 4e-7f * s[i] + 1e-38f, $"{level} sigmoid({x}) vs scalar");
                Assert.True(Math.Abs(t[i] - Activations.Tanh(xs[i])) <= 4e-7f * Math.Abs(t[i]) + 1e-38f, $"{level} tanh({x}) vs scalar");
                Assert.True(float.IsFinite(s[i]) && float.IsFinite(t[i]), $"{level} not finite at {x}");
            }
            Assert.True(float.IsNegative(t[1]) || t[1] == 0f);
        }
    }

    [Fact]
    public unsafe void ScalarPathEqualsActivationsExactly()
    {
        foreach (float x in Inputs())
        {
            Assert.Equal(Activations.Sigmoid(x), VectorActivations.Sigmoid<Scalar1, float>(x));
            Assert.Equal(Activations.Tanh(x), VectorActivations.Tanh<Scalar1, float>(x));
        }
    }
}

using RecurrentAE.Kernels.Cpu;

namespace RecurrentAE.Tests.Cpu;

internal static class CpuTestUtil
{
    /// <summary>The SIMD paths this CPU runs natively: test cases are made for these only, so no case passes by checking
    /// nothing on a machine without a path (a Vector512 path on an AVX2-only machine would run emulated).</summary>
    public static readonly SimdLevel[] Levels = [.. new[] { SimdLevel.Scalar, SimdLevel.Vector256, SimdLevel.Vector512 }.Where(Supported)];

    /// <summary>Whether this machine can run the path (a Vector512 path on an AVX2-only machine would run emulated, still
    /// correct, but the point is to test what runs natively; the scalar path runs everywhere).</summary>
    public static bool Supported(SimdLevel level) => level <= CpuFeatures.Best;

    /// <summary>A backend on the given path that splits even tiny ops across its threads, so tests exercise the splits.</summary>
    public static CpuBackend Backend(SimdLevel level, int threads) => new(threads, level) { MinParallelWork = 0 };

    /// <summary>The backend of the SIMD level named <paramref name="path"/> (one of <see cref="Levels"/>).</summary>
    public static CpuBackend Backend(string path, int threads, out SimdLevel level)
    {
        level = Enum.Parse<SimdLevel>(path);
        return Backend(level, threads);
    }

    public static float[] Random(Random rng, int n, float scale = 1f)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return a;
    }

    public static double[] ToDouble(float[] a) => Array.ConvertAll(a, x => (double)x);

    public static DeviceArray Upload(IComputeBackend be, float[] data)
    {
        var d = be.Allocate(data.Length);
        be.Upload(data, d.All);
        return d;
    }

    /// <summary>A device array of <paramref name="n"/> NaNs: outputs a kernel must overwrite.</summary>
    public static DeviceArray Poisoned(IComputeBackend be, int n)
    {
        var d = be.Allocate(n);
        be.Fill(d.All, float.NaN);
        return d;
    }

    public static float[] Download(IComputeBackend be, DeviceArray d)
    {
        var r = new float[d.Length];
        be.Download(d.All, r);
        return r;
    }

    /// <summary>|got - want| &lt;= rel * max(1, max|want|) elementwise, with a readable failure.</summary>
    public static void Close(double[] want, float[] got, double rel, string what)
    {
        Assert.Equal(want.Length, got.Length);
        double scale = 1;
        foreach (var w in want) scale = Math.Max(scale, Math.Abs(w));
        for (int i = 0; i < want.Length; i++)
        {
            double err = Math.Abs(got[i] - want[i]);
            if (!(err <= rel * scale))
                Assert.Fail($"{what}[{i}]: got {got[i]}, want {want[i]} (err {err:g3}, tolerance {rel * scale:g3})");
        }
    }
}

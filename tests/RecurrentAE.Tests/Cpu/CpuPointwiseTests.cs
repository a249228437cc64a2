using RecurrentAE.Kernels.Cpu;
using RecurrentAE.Tests.Contract;

namespace RecurrentAE.Tests.Cpu;

/// <summary>The vectorised pointwise ops on every path and thread count against float64: bias+sigmoid at extreme
/// logits, BCE with clipped probabilities, Adam, column sums; lengths that leave vector tails.</summary>
public class CpuPointwiseTests
{
    /// <summary>Every path and thread count over lengths that leave vector tails, and one long enough to be split over threads.</summary>
    public static TheoryData<string, int, int> Cases() => Over([1, 3, 17, 33, 65, 401, 70001]);

    /// <summary>The same for the column ops (a row of bias or sums), whose widths stay under a thousand.</summary>
    public static TheoryData<string, int, int> ColumnCases() => Over([1, 3, 17, 33, 65, 401]);

    static TheoryData<string, int, int> Over(int[] lengths)
    {
        var d = new TheoryData<string, int, int>();
        foreach (var level in CpuTestUtil.Levels)
            foreach (int threads in new[] { 1, 2 })
                foreach (int n in lengths)
                    d.Add(level.ToString(), threads, n);
        return d;
    }

    /// <summary>Fill, split over the threads for large slices: every float of the slice set, none around it touched.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void FillSetsTheSliceOnly(string path, int threads, int n)
    {
        using var be = CpuTestUtil.Backend(path, threads, out var level);
        using var a = CpuTestUtil.Upload(be, Enumerable.Repeat(7f, n + 10).ToArray());
        be.Fill(a.Slice(3, n), -2.5f);
        var got = CpuTestUtil.Download(be, a);
        for (int i = 0; i < got.Length; i++)
            Assert.True(got[i] == (i >= 3 && i < 3 + n ? -2.5f : 7f), $"{level} x{threads} n={n}: [{i}] = {got[i]}");
    }

    [Theory]
    [MemberData(nameof(ColumnCases))]
    public void BiasSigmoid(string path, int threads, int cols)
    {
        using var be = CpuTestUtil.Backend(path, threads, out var level);
        var rng = new Random(cols);
        int rows = 7;
        var logits = CpuTestUtil.Random(rng, rows * cols, 30f);
        logits[0] = 100f; logits[^1] = -100f;
        var bias = CpuTestUtil.Random(rng, cols, 3f);
        var want = new double[rows * cols];
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++) want[r * cols + j] = ReferenceOps.Sigmoid(logits[r * cols + j] + bias[j]); // the add is float, as in the kernel
        using var l = CpuTestUtil.Upload(be, logits);
        using var b = CpuTestUtil.Upload(be, bias);
        using var p = be.Allocate(rows * cols);
        be.Fill(p.All, float.NaN);
        be.BiasSigmoidForward(l.All, b.All, rows, cols, p.All);
        var got = CpuTestUtil.Download(be, p);
        for (int i = 0; i < got.Length; i++)
            Assert.True(Math.Abs(got[i] - want[i]) <= 1e-6 * Math.Max(want[i], 1e-30) + 1e-7 * want[i] + 1e-38,
                $"{level} sigmoid[{i}] = {got[i]}, want {want[i]}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BceLossAndGradient(string path, int threads, int n)
    {
        using var be = CpuTestUtil.Backend(path, threads, out var level);
        var rng = new Random(n + 1);
        var p = new float[n]; var y = new float[n];
        for (int i = 0; i < n; i++)
        {
            p[i] = (i % 7) switch { 0 => 0f, 1 => 1f, 2 => 1e-9f, _ => (float)rng.NextDouble() };
            y[i] = (float)rng.NextDouble();
        }
        float scale = 1f / n;
        double sum = 0;
        var gWant = new double[n];
        const double Eps = BceClip.Epsilon, Hi = 1f - BceClip.Epsilon;
        for (int i = 0; i < n; i++)
        {
            double pc = Math.Clamp(p[i], Eps, Hi);
            sum += -(y[i] * Math.Log(pc) + (1 - y[i]) * Math.Log(1 - pc));
            gWant[i] = BceClip.IsClipped(p[i]) ? 0 : scale * ((double)p[i] - y[i]);
        }
        using var dp = CpuTestUtil.Upload(be, p);
        using var dy = CpuTestUtil.Upload(be, y);
        using var loss = CpuTestUtil.Upload(be, [0.25f]);
        using var g = be.Allocate(n);
        be.Fill(g.All, float.NaN);
        be.BceLossAndGradient(dp.All, dy.All, n, scale, loss.All, accumulateLoss: true, g.All);
        double want = 0.25 + scale * sum;
        float got = CpuTestUtil.Download(be, loss)[0];
        Assert.True(Math.Abs(got - want) <= 1e-5 * want, $"{level} loss {got}, want {want}");
        CpuTestUtil.Close(gWant, CpuTestUtil.Download(be, g), 1e-6, $"{level} bce grad");
        be.BceLossAndGradient(dp.All, dy.All, n, scale, loss.All, accumulateLoss: false, default);
        got = CpuTestUtil.Download(be, loss)[0];
        Assert.True(Math.Abs(got - (want - 0.25)) <= 1e-5 * want, $"{level} loss (overwrite) {got}, want {want - 0.25}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Adam(string path, int threads, int n)
    {
        using var be = CpuTestUtil.Backend(path, threads, out var level);
        var rng = new Random(n + 2);
        var w = CpuTestUtil.Random(rng, n); var g = CpuTestUtil.Random(rng, n);
        var m = CpuTestUtil.Random(rng, n, 0.1f); var v = CpuTestUtil.Random(rng, n, 0.01f);
        for (int i = 0; i < n; i++) v[i] = Math.Abs(v[i]);
        var step = new AdamStep(new AdamSettings(1e-3f, 0.9f, 0.999f, 1e-7f), 3);
        var wWant = new double[n]; var mWant = new double[n]; var vWant = new double[n];
        double a = step.StepSize;
        for (int i = 0; i < n; i++)
        {
            mWant[i] = 0.9 * m[i] + 0.1 * g[i];
            vWant[i] = 0.999 * v[i] + 0.001 * g[i] * (double)g[i];
            wWant[i] = w[i] - a * mWant[i] / (Math.Sqrt(vWant[i]) + 1e-7);
        }
        using var dw = CpuTestUtil.Upload(be, w); using var dg = CpuTestUtil.Upload(be, g);
        using var dm = CpuTestUtil.Upload(be, m); using var dv = CpuTestUtil.Upload(be, v);
        be.Adam(dw.All, dg.All, dm.All, dv.All, step);
        CpuTestUtil.Close(mWant, CpuTestUtil.Download(be, dm), 1e-6, $"{level} m");
        CpuTestUtil.Close(vWant, CpuTestUtil.Download(be, dv), 1e-6, $"{level} v");
        CpuTestUtil.Close(wWant, CpuTestUtil.Download(be, dw), 1e-6, $"{level} w");
    }

    [Theory]
    [MemberData(nameof(ColumnCases))]
    public void ColumnSum(string path, int threads, int cols)
    {
        using var be = CpuTestUtil.Backend(path, threads, out var level);
        var rng = new Random(cols + 3);
        foreach (int rows in new[] { 0, 1, 5, 97 })
            foreach (bool accumulate in new[] { false, true })
            {
                var x = CpuTestUtil.Random(rng, rows * cols);
                var s0 = CpuTestUtil.Random(rng, cols);
                var want = new double[cols];
                for (int j = 0; j < cols; j++)
                {
                    double s = accumulate ? s0[j] : 0;
                    for (int i = 0; i < rows; i++) s += x[i * cols + j];
                    want[j] = s;
                }
                using var dx = CpuTestUtil.Upload(be, x.Length == 0 ? [0f] : x);
                using var ds = CpuTestUtil.Upload(be, accumulate ? s0 : Enumerable.Repeat(float.NaN, cols).ToArray());
                be.ColumnSum(dx.All, rows, cols, ds.All, accumulate);
                CpuTestUtil.Close(want, CpuTestUtil.Download(be, ds), 1e-6, $"{level} colsum {rows}x{cols} acc={accumulate}");
            }
    }

    [Theory]
    [InlineData("Vector256")]
    [InlineData("Vector512")]
    public void VectorActivationsMatchScalarOnes(string path)
    {
        using var be = CpuTestUtil.Backend(path, 1, out var level);
        float[] xs = [0f, -0f, 1e-30f, 0.2499999f, 0.25f, -0.25f, 0.2500001f, 1f, -3f, 20f, 40f, -45f, 88f, 100f, -100f, 1e30f, -1e30f];
        // sigmoid and tanh through the LSTM kernel are indirect; check sigmoid through BiasSigmoidForward on a wide range
        var x = xs.Concat(Enumerable.Range(0, 2000).Select(i => (i - 1000) * 0.05f)).ToArray();
        using var dl = CpuTestUtil.Upload(be, x);
        using var db = be.Allocate(x.Length);
        using var dp = be.Allocate(x.Length);
        be.BiasSigmoidForward(dl.All, db.All, 1, x.Length, dp.All);
        var got = CpuTestUtil.Download(be, dp);
        for (int i = 0; i < x.Length; i++)
        {
            float want = Activations.Sigmoid(x[i]);
            Assert.True(Math.Abs(got[i] - want) <= 2e-7f * want + 1e-38f, $"sigmoid({x[i]}) = {got[i]}, scalar {want}");
        }
    }
}

using RecurrentAE.Kernels.Cpu;
using RecurrentAE.Tests.Cpu;

namespace RecurrentAE.Tests.Contract;

/// <summary>Clipping by global norm: the sum-of-squares reduction and the scale it feeds, against float64, on odd sizes,
/// inside NaN-poisoned buffers (reading outside the slice would poison the result; writing outside it is caught).</summary>
public sealed partial class BackendContractTests
{
    public static TheoryData<string, int> GlobalNormCases()
    {
        var data = new TheoryData<string, int>();
        foreach (var backend in BackendNames)
            foreach (int n in new[] { 1, 7, 33, 257, 1031, 70001 })
                data.Add(backend, n);
        return data;
    }

    /// <summary>The float64 reference: sum x^2, and x * X / max(norm, X) (Keras global_clipnorm).</summary>
    private static (double SumOfSquares, double[] Clipped) ReferenceClip(float[] x, double maxNorm)
    {
        double ss = 0;
        foreach (float v in x) ss += (double)v * v;
        double factor = maxNorm / Math.Max(Math.Sqrt(ss), maxNorm);
        return (ss, Array.ConvertAll(x, v => v * factor));
    }

    [Theory]
    [MemberData(nameof(GlobalNormCases))]
    public void SumOfSquaresAndClipByGlobalNorm_MatchFloat64(string backend, int n)
    {
        var be = fixture.Get(backend);
        var rng = NewRandom($"{nameof(SumOfSquaresAndClipByGlobalNorm_MatchFloat64)}{backend}{n}");
        var x = RandomArray(rng, n, 3f);
        using var buf = PoisonedSlices(be, [n, 1], out var s);
        be.Upload(x, s[0]);
        be.SumOfSquares(s[0], s[1]);
        var (ss, _) = ReferenceClip(x, 1);
        Check("SumOfSquares", backend, [ss], Read(be, s[1]));

        // a clip below the norm scales; one above it leaves x bit for bit
        foreach (double fraction in new[] { 0.25, 1.5 })
        {
            double maxNorm = Math.Sqrt(ss) * fraction;
            be.Upload(x, s[0]);
            be.SumOfSquares(s[0], s[1]);
            be.ClipByGlobalNorm(s[0], s[1], (float)maxNorm);
            var got = Read(be, s[0]);
            Check("ClipByGlobalNorm", backend, ReferenceClip(x, (float)maxNorm).Clipped, got);
            if (fraction > 1) Assert.Equal(x, got);
        }
        var all = Read(be, buf.All);
        int outside = all.Length - n - 1;
        Assert.Equal(outside, all.Count(float.IsNaN)); // nothing outside the two slices was written
    }

    /// <summary>A clip far below the norm: the direction is unchanged (cosine 1) and the clipped norm is X.</summary>
    [Theory]
    [MemberData(nameof(Backends))]
    public void ClipByGlobalNorm_TooSmallClipKeepsDirectionAndGivesNormX(string backend)
    {
        var (be, rng) = Start(backend);
        const int n = 4099;
        const float maxNorm = 0.01f;
        var x = RandomArray(rng, n, 5f);
        using var buf = PoisonedSlices(be, [n, 1], out var s);
        be.Upload(x, s[0]);
        be.SumOfSquares(s[0], s[1]);
        be.ClipByGlobalNorm(s[0], s[1], maxNorm);
        var got = Read(be, s[0]);
        double dot = 0, gg = 0, xx = 0;
        for (int i = 0; i < n; i++) { dot += (double)got[i] * x[i]; gg += (double)got[i] * got[i]; xx += (double)x[i] * x[i]; }
        Assert.True(Math.Abs(Math.Sqrt(gg) - maxNorm) <= 1e-5 * maxNorm, $"norm {Math.Sqrt(gg):G9}, expected {maxNorm} {SeedNote}");
        Assert.True(dot / Math.Sqrt(gg * xx) >= 1 - 1e-6, $"cosine {dot / Math.Sqrt(gg * xx):G9} {SeedNote}");
        for (int i = 0; i < n; i++) Assert.True(Math.Sign(got[i]) == Math.Sign(x[i]), $"element {i} changed sign {SeedNote}");
    }

    /// <summary>An empty slice sums to 0; a NaN in the gradient makes every clipped value NaN instead of hiding it.</summary>
    [Theory]
    [MemberData(nameof(Backends))]
    public void GlobalNorm_EmptyIsZeroAndNaNPropagates(string backend)
    {
        var be = fixture.Get(backend);
        using var buf = PoisonedSlices(be, [5, 1], out var s);
        be.SumOfSquares(s[0].Sub(0, 0), s[1]);
        Assert.Equal(0f, Read(be, s[1])[0]);
        be.Upload([1f, float.NaN, 2f, 3f, 4f], s[0]);
        be.SumOfSquares(s[0], s[1]);
        be.ClipByGlobalNorm(s[0], s[1], 1f);
        Assert.All(Read(be, s[0]), v => Assert.True(float.IsNaN(v)));
    }

    /// <summary>Every CPU SIMD path and thread count gives the same bits as the scalar path's float64 sum (the reduction
    /// is one fixed-order pass, so the thread count cannot change it).</summary>
    [Fact]
    public void CpuSumOfSquares_SameOnEveryThreadCount()
    {
        var rng = NewRandom(nameof(CpuSumOfSquares_SameOnEveryThreadCount));
        var x = RandomArray(rng, 10_007, 2f);
        foreach (var level in CpuTestUtil.Levels.Where(CpuTestUtil.Supported))
        {
            var sums = new List<float>();
            foreach (int threads in new[] { 1, 2, 3 })
            {
                using var be = CpuTestUtil.Backend(level, threads);
                using var a = CpuTestUtil.Upload(be, x);
                using var r = CpuTestUtil.Poisoned(be, 1);
                be.SumOfSquares(a.All, r.All);
                sums.Add(Read(be, r.All)[0]);
            }
            Assert.All(sums, v => Assert.Equal(BitConverter.SingleToInt32Bits(sums[0]), BitConverter.SingleToInt32Bits(v)));
            Check("SumOfSquares", "cpu-" + level, [ReferenceClip(x, 1).SumOfSquares], [sums[0]]);
        }
    }
}

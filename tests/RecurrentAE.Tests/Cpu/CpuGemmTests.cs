using RecurrentAE.Kernels.Cpu;
using RecurrentAE.Tests.Contract;

namespace RecurrentAE.Tests.Cpu;

/// <summary>The SIMD GEMM on every path and thread count against a float64 reference: odd sizes (edge tiles in both
/// dimensions), sizes past the KC/MC/NC blocks, operands read in place and packed, every transpose, offsets and padded
/// leading dimensions, beta 0 (C poisoned with NaN must not leak) and beta != 0, and memory around C left untouched.</summary>
public class CpuGemmTests
{
    public static TheoryData<string, int, int, int, int> Cases()
    {
        var d = new TheoryData<string, int, int, int, int>();
        // up to 128 rows read B (and A) in place, more pack them: both sides of that line, past the KC/MC/NC blocks
        int[][] sizes = [[1, 1, 1], [3, 7, 17], [7, 1, 3], [17, 33, 65], [33, 65, 7], [65, 17, 300], [100, 530, 33], [32, 400, 100], [9, 40, 0],
            [128, 45, 270], [150, 45, 270], [301, 28, 100]];
        foreach (var level in CpuTestUtil.Levels)
            foreach (int threads in new[] { 1, 2 })
                foreach (var s in sizes) d.Add(level.ToString(), threads, s[0], s[1], s[2]);
        return d;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesFloat64Reference(string path, int threads, int m, int n, int k)
    {
        using var be = CpuTestUtil.Backend(path, threads, out var level);
        var rng = new Random(m * 1000 + n * 10 + k);
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
                foreach (float beta in new[] { 0f, 1f, -0.5f })
                    Check(be, rng, ta, tb, m, n, k, alpha: beta == 1f ? 1f : 1.5f, beta);
    }

    private static void Check(CpuBackend be, Random rng, bool ta, bool tb, int m, int n, int k, float alpha, float beta)
    {
        int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
        int lda = aCols + 3, ldb = bCols + 1, ldc = n + 5;
        int ao = 7, bo = 2, co = 11;
        var a = CpuTestUtil.Random(rng, ao + Math.Max(aRows, 1) * lda);
        var b = CpuTestUtil.Random(rng, bo + Math.Max(bRows, 1) * ldb);
        const float Sentinel = 12345f;
        var c = new float[co + m * ldc + 9];
        Array.Fill(c, Sentinel);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                c[co + i * ldc + j] = beta == 0 ? float.NaN : (float)(rng.NextDouble() * 2 - 1);
        var cRef = CpuTestUtil.ToDouble(c);
        var abs = new double[m * n];
        ReferenceOps.Gemm(ta, tb, m, n, k, alpha, CpuTestUtil.ToDouble(a), ao, lda, CpuTestUtil.ToDouble(b), bo, ldb, beta, cRef, co, ldc, abs);

        using var da = CpuTestUtil.Upload(be, a);
        using var db = CpuTestUtil.Upload(be, b);
        using var dc = CpuTestUtil.Upload(be, c);
        be.Gemm(ta ? Transpose.Yes : Transpose.No, tb ? Transpose.Yes : Transpose.No, m, n, k, alpha,
            da.Slice(ao, a.Length - ao), lda, db.Slice(bo, b.Length - bo), ldb, beta, dc.Slice(co, c.Length - co), ldc);
        var got = CpuTestUtil.Download(be, dc);
        string what = $"{be.Level} x{be.Threads} ta={ta} tb={tb} {m}x{n}x{k} beta={beta}";
        for (int x = 0; x < c.Length; x++)
        {
            int rel = x - co, i = rel / ldc, j = rel % ldc;
            bool inside = rel >= 0 && i < m && j < n;
            if (!inside)
            {
                Assert.True(got[x] == Sentinel, $"{what}: wrote outside C at {x}");
                continue;
            }
            double want = cRef[x], tol = 1e-6 * (k + 4) * abs[i * n + j] + 1e-30;
            Assert.True(Math.Abs(got[x] - want) <= tol, $"{what}: C[{i},{j}] = {got[x]}, want {want} (tol {tol:g3})");
        }
    }
}

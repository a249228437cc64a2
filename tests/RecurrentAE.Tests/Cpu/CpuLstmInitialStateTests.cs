using RecurrentAE.Kernels.Cpu;
using RecurrentAE.Tests.Contract;

namespace RecurrentAE.Tests.Cpu;

/// <summary>The CPU LSTM forward from an initial state on every SIMD path, with the batch split over threads (each
/// thread's rows read their own rows of h_{-1} and c_{-1}), odd units and ragged lengths (0 keeps the initial state),
/// against the float64 reference. Outputs are poisoned with NaN first.</summary>
public class CpuLstmInitialStateTests
{
    public static TheoryData<string, int, int, int, int, bool> Cases()
    {
        var d = new TheoryData<string, int, int, int, int, bool>();
        foreach (var level in CpuTestUtil.Levels)
            foreach (int threads in new[] { 1, 2 })
                foreach (var (t, b, u) in new[] { (1, 17, 33), (4, 9, 7) })
                    foreach (bool ragged in new[] { false, true })
                        d.Add(level.ToString(), threads, t, b, u, ragged);
        return d;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardFromAnInitialStateMatchesFloat64Reference(string path, int threads, int T, int B, int U, bool ragged)
    {
        using var be = CpuTestUtil.Backend(path, threads, out var level);
        int seed = Random.Shared.Next();
        var rng = new Random(seed);
        int G = 4 * U;
        var xp = CpuTestUtil.Random(rng, T * B * G, 2f);
        var rk = CpuTestUtil.Random(rng, U * G, 0.5f);
        var bias = CpuTestUtil.Random(rng, G, 0.5f);
        var h0 = CpuTestUtil.Random(rng, B * U, 0.9f);
        var c0 = CpuTestUtil.Random(rng, B * U, 2f);
        int[]? lengths = ragged ? Enumerable.Range(0, B).Select(b => b % 3 == 0 ? 0 : rng.Next(0, T + 1)).ToArray() : null;
        var expected = ReferenceOps.LstmForward(T, B, U, CpuTestUtil.ToDouble(xp), B * G, CpuTestUtil.ToDouble(rk),
            CpuTestUtil.ToDouble(bias), lengths, CpuTestUtil.ToDouble(h0), CpuTestUtil.ToDouble(c0));

        using var dXp = CpuTestUtil.Upload(be, xp);
        using var dRk = CpuTestUtil.Upload(be, rk);
        using var dB = CpuTestUtil.Upload(be, bias);
        using var dH0 = CpuTestUtil.Upload(be, h0);
        using var dC0 = CpuTestUtil.Upload(be, c0);
        using var h = CpuTestUtil.Poisoned(be, T * B * U); using var c = CpuTestUtil.Poisoned(be, T * B * U); using var g = CpuTestUtil.Poisoned(be, T * B * G);
        using var len = be.AllocateIndices(B);
        if (lengths != null) be.UploadIndices(lengths, len);
        be.LstmForward(new LstmForwardArgs
        {
            Steps = T, Batch = B, Units = U, InputProjection = dXp.All, InputProjectionStepStride = B * G,
            RecurrentKernel = dRk.All, Bias = dB.All, Hidden = h.All, Cell = c.All, Gates = g.All,
            Lengths = lengths != null ? len : null, InitialHidden = dH0.All, InitialCell = dC0.All,
        });
        string what = $"seed {seed}: {level} x{threads} T={T} B={B} U={U} ragged={ragged}";
        CpuTestUtil.Close(expected.H, CpuTestUtil.Download(be, h), 2e-5, what + " h");
        CpuTestUtil.Close(expected.C, CpuTestUtil.Download(be, c), 2e-5, what + " c");
        CpuTestUtil.Close(expected.Gates, CpuTestUtil.Download(be, g), 2e-5, what + " gates");
    }
}

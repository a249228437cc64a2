using RecurrentAE.Kernels.Cpu;

namespace RecurrentAE.Tests.Cpu;

/// <summary>The fused LSTM sequence kernels on every path and thread count against the float64 reference: odd unit counts
/// (vector tails), batches that split unevenly over register panels and threads (the recurrent kernel packed in chunks
/// by whichever thread comes first, the bias gradient summed per leaf of the batch), ragged Lengths (0, partial, full) and the
/// RepeatVector input (step stride 0). Outputs are poisoned with NaN first.</summary>
public class CpuLstmTests
{
    public static TheoryData<string, int, int, int, int, bool, bool> Cases()
    {
        var d = new TheoryData<string, int, int, int, int, bool, bool>();
        // steps, batch, units, repeat, ragged
        int[][] shapes = [[1, 1, 1], [5, 3, 7], [4, 17, 33], [6, 32, 20], [3, 9, 65], [5, 40, 100]];
        foreach (var level in CpuTestUtil.Levels)
            foreach (int threads in new[] { 1, 2, 3 })
                foreach (var s in shapes)
                    foreach (var (repeat, ragged) in new[] { (false, false), (true, false), (false, true) })
                        d.Add(level.ToString(), threads, s[0], s[1], s[2], repeat, ragged);
        return d;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardAndBackwardMatchFloat64Reference(string path, int threads, int T, int B, int U, bool repeat, bool ragged)
    {
        using var be = CpuTestUtil.Backend(path, threads, out var level);
        var rng = new Random(T * 10007 + B * 101 + U);
        int G = 4 * U, stride = repeat ? 0 : B * G;
        var xp = CpuTestUtil.Random(rng, repeat ? B * G : T * B * G, 2f);
        var rk = CpuTestUtil.Random(rng, U * G, 0.5f);
        var bias = CpuTestUtil.Random(rng, G, 0.5f);
        int[]? lengths = null;
        if (ragged)
        {
            lengths = new int[B];
            for (int b = 0; b < B; b++) lengths[b] = b % 3 == 0 ? T : rng.Next(0, T + 1);
        }

        // float64 reference
        var H = new double[T * B * U]; var C = new double[T * B * U]; var gates = new double[T * B * G];
        double[] rkD = CpuTestUtil.ToDouble(rk);
        ReferenceKernels.LstmForward(T, B, U, CpuTestUtil.ToDouble(xp), stride, rkD, CpuTestUtil.ToDouble(bias), H, C, gates, lengths);
        var dHIn = CpuTestUtil.Random(rng, T * B * U);
        var dRk0 = CpuTestUtil.Random(rng, U * G);
        var dBias0 = CpuTestUtil.Random(rng, G);
        var dH = CpuTestUtil.ToDouble(dHIn); var dZ = new double[T * B * G];
        var dRk = CpuTestUtil.ToDouble(dRk0); var dBias = CpuTestUtil.ToDouble(dBias0);
        ReferenceKernels.LstmBackward(T, B, U, rkD, H, C, gates, dH, dZ, dRk, dBias, lengths);

        // the backend
        using var dXp = CpuTestUtil.Upload(be, xp);
        using var dRkW = CpuTestUtil.Upload(be, rk);
        using var dB = CpuTestUtil.Upload(be, bias);
        using var hA = Poisoned(be, T * B * U); using var cA = Poisoned(be, T * B * U); using var gA = Poisoned(be, T * B * G);
        DeviceIndexArray? len = null;
        if (lengths != null) { len = be.AllocateIndices(B); be.UploadIndices(lengths, len); }
        be.LstmForward(new LstmForwardArgs
        {
            Steps = T, Batch = B, Units = U, InputProjection = dXp.All, InputProjectionStepStride = stride,
            RecurrentKernel = dRkW.All, Bias = dB.All, Hidden = hA.All, Cell = cA.All, Gates = gA.All, Lengths = len,
        });
        string what = $"{level} x{threads} T={T} B={B} U={U} repeat={repeat} ragged={ragged}";
        CpuTestUtil.Close(H, CpuTestUtil.Download(be, hA), 2e-5, what + " h");
        CpuTestUtil.Close(C, CpuTestUtil.Download(be, cA), 2e-5, what + " c");
        CpuTestUtil.Close(gates, CpuTestUtil.Download(be, gA), 2e-5, what + " gates");

        using var dHA = CpuTestUtil.Upload(be, dHIn);
        using var dCS = Poisoned(be, B * U);
        using var dZA = Poisoned(be, T * B * G);
        using var dRkA = CpuTestUtil.Upload(be, dRk0);
        using var dBiasA = CpuTestUtil.Upload(be, dBias0);
        be.LstmBackward(new LstmBackwardArgs
        {
            Steps = T, Batch = B, Units = U, RecurrentKernel = dRkW.All, Hidden = hA.All, Cell = cA.All, Gates = gA.All,
            HiddenGradient = dHA.All, CellGradientScratch = dCS.All, GateGradient = dZA.All,
            RecurrentKernelGradient = dRkA.All, BiasGradient = dBiasA.All, Lengths = len,
        });
        CpuTestUtil.Close(dZ, CpuTestUtil.Download(be, dZA), 5e-5, what + " dz");
        CpuTestUtil.Close(dH, CpuTestUtil.Download(be, dHA), 5e-5, what + " dh");
        CpuTestUtil.Close(dRk, CpuTestUtil.Download(be, dRkA), 5e-5, what + " dRk");
        CpuTestUtil.Close(dBias, CpuTestUtil.Download(be, dBiasA), 5e-5, what + " dBias");
    }

    private static DeviceArray Poisoned(IComputeBackend be, int n)
    {
        var d = be.Allocate(n);
        be.Fill(d.All, float.NaN);
        return d;
    }
}

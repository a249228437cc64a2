using RecurrentAE.Kernels.Cpu;

namespace RecurrentAE.Tests.Cpu;

/// <summary>A training step's worth of ops allocates nothing once warm: pack buffers are per thread and grow only on
/// first use, jobs are preallocated, the pool hands off through counters. Measured on the calling thread (the
/// process-wide counter would see other tests running in parallel).</summary>
public class CpuAllocationTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void WarmStepAllocatesNothing(int threads)
    {
        using var be = new CpuBackend(threads) { MinParallelWork = 0 };
        const int T = 5, B = 32, D = 7, U = 20, G = 4 * U;
        var rng = new Random(3);
        DeviceArray Rand(int n) => CpuTestUtil.Upload(be, CpuTestUtil.Random(rng, n, 0.3f));
        DeviceArray x = Rand(T * B * D), w = Rand(D * G), rk = Rand(U * G), bias = Rand(G), wd = Rand(U * D), bd = Rand(D);
        DeviceArray xp = be.Allocate(T * B * G), h = be.Allocate(T * B * U), c = be.Allocate(T * B * U), gates = be.Allocate(T * B * G);
        DeviceArray logits = be.Allocate(T * B * D), p = be.Allocate(T * B * D), loss = be.Allocate(1), dl = be.Allocate(T * B * D);
        DeviceArray dh = be.Allocate(T * B * U), dc = be.Allocate(B * U), dz = be.Allocate(T * B * G);
        DeviceArray gw = be.Allocate(D * G), grk = be.Allocate(U * G), gb = be.Allocate(G), gwd = be.Allocate(U * D), gbd = be.Allocate(D);
        DeviceArray m = be.Allocate(U * G), v = be.Allocate(U * G);
        var lengths = be.AllocateIndices(B);
        be.UploadIndices(Enumerable.Range(0, B).Select(i => 1 + i % T).ToArray(), lengths);
        var lossHost = new float[1];
        var adam = new AdamSettings(1e-3f, 0.9f, 0.999f, 1e-7f);

        void Step(int s)
        {
            be.Gemm(Transpose.No, Transpose.No, T * B, G, D, 1, x.All, D, w.All, G, 0, xp.All, G);
            be.LstmForward(new LstmForwardArgs { Steps = T, Batch = B, Units = U, InputProjection = xp.All, InputProjectionStepStride = B * G,
                RecurrentKernel = rk.All, Bias = bias.All, Hidden = h.All, Cell = c.All, Gates = gates.All, Lengths = lengths });
            be.Gemm(Transpose.No, Transpose.No, T * B, D, U, 1, h.All, U, wd.All, D, 0, logits.All, D);
            be.BiasSigmoidForward(logits.All, bd.All, T * B, D, p.All);
            be.BceLossAndGradient(p.All, x.All, T * B * D, 1f / (T * B * D), loss.All, false, dl.All);
            be.Gemm(Transpose.Yes, Transpose.No, U, D, T * B, 1, h.All, U, dl.All, D, 0, gwd.All, D);
            be.ColumnSum(dl.All, T * B, D, gbd.All, false);
            be.Gemm(Transpose.No, Transpose.Yes, T * B, U, D, 1, dl.All, D, wd.All, D, 0, dh.All, U);
            be.LstmBackward(new LstmBackwardArgs { Steps = T, Batch = B, Units = U, RecurrentKernel = rk.All, Hidden = h.All, Cell = c.All,
                Gates = gates.All, HiddenGradient = dh.All, CellGradientScratch = dc.All, GateGradient = dz.All,
                RecurrentKernelGradient = grk.All, BiasGradient = gb.All, Lengths = lengths });
            be.Gemm(Transpose.Yes, Transpose.No, D, G, T * B, 1, x.All, D, dz.All, G, 0, gw.All, G);
            be.Adam(rk.All, grk.All, m.All, v.All, new AdamStep(adam, s));
            be.Download(loss.All, lossHost);
        }

        for (int s = 1; s <= 20; s++) Step(s);
        // Up to five windows of 40 steps: the runtime itself (tiered JIT installing optimised code) now and then
        // allocates a few hundred bytes on this thread during one window. A step that allocates shows in every window.
        var windows = new List<long>();
        for (int window = 0, s = 21; window < 5 && (windows.Count == 0 || windows[^1] != 0); window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 40; i++, s++) Step(s);
            windows.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.True(windows[^1] == 0, $"every window of 40 warm steps allocated: {string.Join(", ", windows)} bytes");
        Assert.True(float.IsFinite(lossHost[0]));
    }
}

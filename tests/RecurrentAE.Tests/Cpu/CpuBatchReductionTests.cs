using RecurrentAE.Kernels.Cpu;

namespace RecurrentAE.Tests.Cpu;

/// <summary>
/// The CPU backend sums parameter gradients over a batch in <see cref="BatchReduction"/>'s tree: the gradient of a whole
/// batch is, bit for bit, the float sum of the gradients of its two halves (the rows a 2-rank data-parallel run gives each
/// rank) computed with the whole batch's leaf size, and it is the same at 1, 2 and 3 threads, on every SIMD path. The
/// kernels' values are checked against float64 elsewhere (contract and LSTM tests); this pins their order.
/// </summary>
public class CpuBatchReductionTests
{
    public static TheoryData<string, int, int, int, int> DenseCases()
    {
        var d = new TheoryData<string, int, int, int, int>();
        foreach (var level in CpuTestUtil.Levels)
            foreach (var s in new[] { (3, 13, 19, 37), (1, 9, 100, 28), (4, 40, 28, 100), (2, 2, 5, 3) })
                d.Add(level.ToString(), s.Item1, s.Item2, s.Item3, s.Item4);
        return d;
    }

    static int[] Bits(float[] v) => [.. v.Select(BitConverter.SingleToInt32Bits)];

    static float[] Add(float[] a, float[] b) => [.. a.Zip(b, (x, y) => x + y)];

    /// <summary>Rows [b0, b1) of every step of a time-major (steps, batch, width) array.</summary>
    static float[] Rows(float[] x, int steps, int batch, int width, int b0, int b1)
    {
        var part = new float[steps * (b1 - b0) * width];
        for (int t = 0; t < steps; t++)
            Array.Copy(x, (t * batch + b0) * width, part, t * (b1 - b0) * width, (b1 - b0) * width);
        return part;
    }

    static (float[] Kernel, float[] Bias) Dense(CpuBackend be, float[] x, float[] dy, int steps, int batch, int inputs, int outputs, int leafRows)
    {
        using var dx = CpuTestUtil.Upload(be, x);
        using var ddy = CpuTestUtil.Upload(be, dy);
        using var kernel = be.Allocate(inputs * outputs);
        using var bias = be.Allocate(outputs);
        be.DenseGradient(new DenseGradientArgs
        {
            Input = dx.All, Inputs = inputs, OutputGradient = ddy.All, Outputs = outputs, Steps = steps, Batch = batch,
            LeafRows = leafRows, KernelGradient = kernel.All, BiasGradient = bias.All,
        });
        return (CpuTestUtil.Download(be, kernel), CpuTestUtil.Download(be, bias));
    }

    [Theory]
    [MemberData(nameof(DenseCases))]
    public void Dense_gradients_of_a_batch_are_the_sum_of_its_halves_at_any_thread_count(string path, int steps, int batch, int inputs, int outputs)
    {
        var rng = new Random(steps * 7919 + batch * 31 + inputs + outputs);
        var x = CpuTestUtil.Random(rng, steps * batch * inputs);
        var dy = CpuTestUtil.Random(rng, steps * batch * outputs);
        int leafRows = BatchReduction.LeafRowsFor(batch), half = batch / 2;
        (float[] Kernel, float[] Bias)? first = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            using var be = CpuTestUtil.Backend(path, threads, out _);
            var whole = Dense(be, x, dy, steps, batch, inputs, outputs, leafRows);
            var left = Dense(be, Rows(x, steps, batch, inputs, 0, half), Rows(dy, steps, batch, outputs, 0, half), steps, half, inputs, outputs, leafRows);
            var right = Dense(be, Rows(x, steps, batch, inputs, half, batch), Rows(dy, steps, batch, outputs, half, batch), steps, batch - half, inputs, outputs, leafRows);
            Assert.Equal(Bits(whole.Kernel), Bits(Add(left.Kernel, right.Kernel)));
            Assert.Equal(Bits(whole.Bias), Bits(Add(left.Bias, right.Bias)));
            first ??= whole;
            Assert.Equal(Bits(first.Value.Kernel), Bits(whole.Kernel));
            Assert.Equal(Bits(first.Value.Bias), Bits(whole.Bias));
        }
    }

    public static TheoryData<string, int, int, int, bool> LstmCases()
    {
        var d = new TheoryData<string, int, int, int, bool>();
        foreach (var level in CpuTestUtil.Levels)
            foreach (var s in new[] { (5, 13, 7), (4, 40, 20), (3, 17, 33), (2, 3, 5) })
                foreach (bool ragged in new[] { false, true })
                    d.Add(level.ToString(), s.Item1, s.Item2, s.Item3, ragged);
        return d;
    }

    /// <summary>LstmBackward's recurrent-kernel and bias gradients of rows [b0, b1) of a saved forward pass.</summary>
    static (float[] Recurrent, float[] Bias) LstmGradients(CpuBackend be, int T, int B, int U, float[] rk, float[] h, float[] c, float[] gates,
        float[] dh, int[]? lengths, int b0, int b1, int leafRows)
    {
        int G = 4 * U, n = b1 - b0;
        using var dRk = CpuTestUtil.Upload(be, rk);
        using var hA = CpuTestUtil.Upload(be, Rows(h, T, B, U, b0, b1));
        using var cA = CpuTestUtil.Upload(be, Rows(c, T, B, U, b0, b1));
        using var gA = CpuTestUtil.Upload(be, Rows(gates, T, B, G, b0, b1));
        using var dhA = CpuTestUtil.Upload(be, Rows(dh, T, B, U, b0, b1));
        using var dcS = be.Allocate(n * U);
        using var dz = be.Allocate(T * n * G);
        using var gradRk = be.Allocate(U * G);
        using var gradBias = be.Allocate(G);
        DeviceIndexArray? len = null;
        if (lengths != null) { len = be.AllocateIndices(n); be.UploadIndices(lengths.AsSpan(b0, n), len); }
        be.LstmBackward(new LstmBackwardArgs
        {
            Steps = T, Batch = n, Units = U, RecurrentKernel = dRk.All, Hidden = hA.All, Cell = cA.All, Gates = gA.All,
            HiddenGradient = dhA.All, CellGradientScratch = dcS.All, GateGradient = dz.All,
            RecurrentKernelGradient = gradRk.All, BiasGradient = gradBias.All, Lengths = len, LeafRows = leafRows,
        });
        len?.Dispose();
        return (CpuTestUtil.Download(be, gradRk), CpuTestUtil.Download(be, gradBias));
    }

    [Theory]
    [MemberData(nameof(LstmCases))]
    public void Lstm_gradients_of_a_batch_are_the_sum_of_its_halves_at_any_thread_count(string path, int T, int B, int U, bool ragged)
    {
        var rng = new Random(T * 7919 + B * 31 + U + (ragged ? 1 : 0));
        int G = 4 * U;
        var rk = CpuTestUtil.Random(rng, U * G, 0.5f);
        var h = CpuTestUtil.Random(rng, T * B * U);
        var c = CpuTestUtil.Random(rng, T * B * U);
        var gates = Array.ConvertAll(CpuTestUtil.Random(rng, T * B * G), v => 0.5f + 0.45f * v);
        var dh = CpuTestUtil.Random(rng, T * B * U);
        int[]? lengths = ragged ? [.. Enumerable.Range(0, B).Select(b => b % 3 == 0 ? T : rng.Next(0, T + 1))] : null;
        int leafRows = BatchReduction.LeafRowsFor(B), half = B / 2;
        (float[] Recurrent, float[] Bias)? first = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            using var be = CpuTestUtil.Backend(path, threads, out _);
            var whole = LstmGradients(be, T, B, U, rk, h, c, gates, dh, lengths, 0, B, leafRows);
            var left = LstmGradients(be, T, B, U, rk, h, c, gates, dh, lengths, 0, half, leafRows);
            var right = LstmGradients(be, T, B, U, rk, h, c, gates, dh, lengths, half, B, leafRows);
            Assert.True(whole.Bias.Any(v => v != 0) && whole.Recurrent.Any(v => v != 0), "the gradients must not be zero");
            Assert.Equal(Bits(whole.Recurrent), Bits(Add(left.Recurrent, right.Recurrent)));
            Assert.Equal(Bits(whole.Bias), Bits(Add(left.Bias, right.Bias)));
            first ??= whole;
            Assert.Equal(Bits(first.Value.Recurrent), Bits(whole.Recurrent));
            Assert.Equal(Bits(first.Value.Bias), Bits(whole.Bias));
        }
    }
}

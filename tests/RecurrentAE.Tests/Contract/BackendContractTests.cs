using System.Runtime.CompilerServices;
using Xunit.Abstractions;

namespace RecurrentAE.Tests.Contract;

/// <summary>
/// Every contract op on every backend this machine always has (the scalar/SIMD cpu backend and ILGPU's CPU accelerator),
/// against the float64 <see cref="ReferenceOps"/>, on fresh random inputs, with outputs poisoned with NaN first.
/// </summary>
[Collection("Backends")]
public sealed partial class BackendContractTests(BackendFixture fixture, ITestOutputHelper output)
{
    /// <summary>cpu and ilgpu-cpu always; cuda and opencl too where this machine has them.</summary>
    public static IReadOnlyList<string> BackendNames { get; } =
        ["cpu", "ilgpu-cpu", .. BackendFactory.Available().Where(n => n is "cuda" or "opencl")];

    public static TheoryData<string> Backends => new(BackendNames);

    /// <summary>The backends plus the ILGPU LSTM-path variants (see <see cref="BackendFixture.Create"/>): every LSTM test
    /// checks the persistent kernels and the per-step kernels on every ILGPU accelerator here.</summary>
    public static IReadOnlyList<string> LstmBackendNames { get; } =
        [.. BackendNames, BackendFixture.IlgpuCpuPersistent, BackendFixture.IlgpuCpuPersistentSmall, BackendFixture.IlgpuCpuNoSubGroups, .. BackendNames.Contains("cuda") ? [BackendFixture.CudaPerStep] : Array.Empty<string>()];

    public static TheoryData<string> LstmBackends => new(LstmBackendNames);

    private const double Rel = 1e-5;

    private Random NewRandom(string test) => new(HashCode.Combine(BackendFixture.Seed, test.GetHashCode(StringComparison.Ordinal)));

    /// <summary>A contract test's start: the backend named <paramref name="backend"/>, and random numbers seeded by the run's
    /// seed, the calling test's name and the backend.</summary>
    private (IComputeBackend Backend, Random Rng) Start(string backend, [CallerMemberName] string test = "") =>
        (fixture.Get(backend), NewRandom(test + backend));

    private static string SeedNote => $"(seed {BackendFixture.Seed}; rerun with RAE_TEST_SEED={BackendFixture.Seed})";

    private static float[] RandomArray(Random rng, int n, float scale = 1f)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        return a;
    }

    private static double[] D(float[] a) => Array.ConvertAll(a, x => (double)x);

    private static float[] Nans(int n) => Enumerable.Repeat(float.NaN, n).ToArray();

    /// <summary>One NaN-filled buffer holding a slice of each size, at odd offsets with gaps between them.</summary>
    private static DeviceArray PoisonedSlices(IComputeBackend be, int[] sizes, out Slice[] slices)
    {
        var buf = be.Allocate(sizes.Sum() + 3 * sizes.Length);
        slices = new Slice[sizes.Length];
        for (int i = 0, off = 1; i < sizes.Length; off += sizes[i] + 3, i++) slices[i] = buf.Slice(off, sizes[i]);
        be.Fill(buf.All, float.NaN);
        return buf;
    }

    private static float[] Read(IComputeBackend be, Slice s)
    {
        var r = new float[s.Length];
        be.Download(s, r);
        return r;
    }

    /// <summary>|actual - expected| / max(|expected|, rms(expected), floor) over the tensor; NaN or infinity fails outright.
    /// With <paramref name="magnitude"/>, each element's error is relative to its own magnitude instead (for a sum, the sum
    /// of its terms' absolute values: the scale float32 rounding error grows with, even where the terms cancel).</summary>
    private double Check(string op, string backend, double[] expected, float[] actual, double rel = Rel, double floor = 1e-30,
        Func<int, bool>? include = null, double[]? magnitude = null)
    {
        Assert.Equal(expected.Length, actual.Length);
        double sq = 0;
        int counted = 0;
        for (int i = 0; i < expected.Length; i++)
            if (include?.Invoke(i) ?? true) { sq += expected[i] * expected[i]; counted++; }
        double rms = counted > 0 ? Math.Sqrt(sq / counted) : 0;
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            if (!(include?.Invoke(i) ?? true)) continue;
            if (!float.IsFinite(actual[i]))
                Assert.Fail($"{op} on {backend}: element {i} is {actual[i]} (expected {expected[i]:G9}) {SeedNote}");
            double scale = magnitude?[i] ?? Math.Max(Math.Abs(expected[i]), rms);
            double err = Math.Abs(actual[i] - expected[i]) / Math.Max(scale, floor);
            if (err > worst) { worst = err; worstAt = i; }
        }
        BackendFixture.MaxErrors.AddOrUpdate($"{op}\t{backend}", worst, (_, old) => Math.Max(old, worst));
        output.WriteLine($"{op} on {backend}: max relative error {worst:E2}");
        if (worst > rel)
            Assert.Fail(
            $"{op} on {backend}: relative error {worst:E3} > {rel:E1} at element {worstAt}: got {actual[worstAt]:G9}, expected {expected[worstAt]:G9} {SeedNote}");
        return worst;
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Gemm_AllTransposesOddShapesStridesAndBetas(string backend)
    {
        var (be, rng) = Start(backend);
        int[][] shapes = [[1, 1, 1], [3, 5, 7], [17, 33, 19], [2, 20, 1]];
        foreach (var shape in shapes)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    foreach (float beta in new[] { 0f, 1f, 0.5f })
                    {
                        int m = shape[0], n = shape[1], k = shape[2];
                        string what = $"Gemm {(ta ? 'T' : 'N')}{(tb ? 'T' : 'N')} {m}x{n}x{k} beta {beta}";
                        float alpha = (float)(rng.NextDouble() * 2 - 0.5);
                        int ra = ta ? k : m, wa = ta ? m : k, lda = wa + 3, ao = 5;
                        int rb = tb ? n : k, wb = tb ? k : n, ldb = wb + 2, bo = 1;
                        int ldc = n + 2, co = 3;
                        // operands padded with NaN: reading outside the window poisons the result
                        var A = Nans(ao + ra * lda + 2);
                        var B = Nans(bo + rb * ldb + 4);
                        for (int r = 0; r < ra; r++) for (int c = 0; c < wa; c++) A[ao + r * lda + c] = (float)(rng.NextDouble() * 2 - 1);
                        for (int r = 0; r < rb; r++) for (int c = 0; c < wb; c++) B[bo + r * ldb + c] = (float)(rng.NextDouble() * 2 - 1);
                        const float pad = 7.25f;
                        var C = Enumerable.Repeat(pad, co + m * ldc + 1).ToArray();
                        for (int r = 0; r < m; r++) for (int c = 0; c < n; c++)
                            C[co + r * ldc + c] = beta == 0 ? float.NaN : (float)(rng.NextDouble() * 2 - 1);

                        // the operands live at an offset inside a larger buffer too
                        using var buf = be.Allocate(A.Length + B.Length + C.Length + 3);
                        var sa = buf.Slice(1, A.Length);
                        var sb = buf.Slice(1 + A.Length, B.Length);
                        var sc = buf.Slice(2 + A.Length + B.Length, C.Length);
                        be.Upload(A, sa); be.Upload(B, sb); be.Upload(C, sc);
                        be.Gemm(ta ? Transpose.Yes : Transpose.No, tb ? Transpose.Yes : Transpose.No, m, n, k,
                            alpha, sa.Sub(ao, A.Length - ao), lda, sb.Sub(bo, B.Length - bo), ldb, beta, sc.Sub(co, C.Length - co), ldc);
                        var got = Read(be, sc);

                        var expected = D(C);
                        ReferenceOps.Gemm(ta, tb, m, n, k, alpha, D(A), ao, lda, D(B), bo, ldb, beta, expected, co, ldc);
                        // |alpha| sum_k |a_ik b_kj| + |beta c_ij|: a cancelling sum is still only as exact as its terms are large
                        var magnitude = Array.ConvertAll(D(C), Math.Abs);
                        ReferenceOps.Gemm(ta, tb, m, n, k, Math.Abs(alpha), Array.ConvertAll(D(A), Math.Abs), ao, lda,
                            Array.ConvertAll(D(B), Math.Abs), bo, ldb, Math.Abs(beta), magnitude, co, ldc);
                        bool InWindow(int i) => i >= co && (i - co) / ldc < m && (i - co) % ldc < n;
                        for (int i = 0; i < C.Length; i++)
                            if (!InWindow(i))
                                Assert.True(got[i] == pad, $"{what} on {backend}: wrote outside C's window at {i} {SeedNote}");
                        Check("Gemm", backend, expected, got, include: InWindow, magnitude: magnitude);
                    }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void ColumnSum_OverwriteAndAccumulate(string backend)
    {
        var (be, rng) = Start(backend);
        int rows = 7, cols = 13;
        var x = RandomArray(rng, rows * cols);
        var init = RandomArray(rng, cols);
        using var buf = be.Allocate(rows * cols + cols + 5);
        var sx = buf.Slice(2, rows * cols);
        var ss = buf.Slice(3 + rows * cols, cols);
        be.Upload(x, sx);
        be.Upload(Nans(cols), ss);
        be.ColumnSum(sx, rows, cols, ss, accumulate: false);
        Check("ColumnSum", backend, ReferenceOps.ColumnSum(D(x), rows, cols, null), Read(be, ss));
        be.Upload(init, ss);
        be.ColumnSum(sx, rows, cols, ss, accumulate: true);
        Check("ColumnSum", backend, ReferenceOps.ColumnSum(D(x), rows, cols, D(init)), Read(be, ss));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void GatherSequences_IsExact(string backend)
    {
        int n = 6, steps = 3, features = 4;
        var layout = GatherLayout.Sequences(steps, features);
        CheckGather(backend, nameof(GatherSequences_IsExact), n * steps * features, layout, [5, 0, 2, 2, 1, 3],
            (i, t) => i * steps + t, features);
        CheckGather(backend, nameof(GatherSequences_IsExact) + "reversed", n * steps * features, layout.Reversed, [5, 0, 2, 2, 1, 3],
            (i, t) => i * steps + steps - 1 - t, features);
    }

    /// <summary>Windows of one series: 17 rows, window 5, stride 3 gives starts 0, 3, 6, 9, 12 (the ragged end: 17 - 5 = 12
    /// is the last start, so window 4 is end-aligned), forwards and back to front, univariate and multivariate.</summary>
    [Theory]
    [MemberData(nameof(Backends))]
    public void GatherSequences_WindowsOfOneSeries(string backend)
    {
        int rows = 17, window = 5, stride = 3;
        int[] starts = [0, 3, 6, 9, 12];
        int[] order = [4, 0, 3, 1, 4, 2];
        foreach (int features in new[] { 1, 3 })
        {
            var layout = GatherLayout.Windows(rows, features, window, stride);
            Assert.Equal(12 * features, layout.MaxOffset);
            CheckGather(backend, $"windows{features}", rows * features, layout, order, (i, t) => starts[i] + t, features);
            CheckGather(backend, $"windows-reversed{features}", rows * features, layout.Reversed, order, (i, t) => starts[i] + window - 1 - t, features);
        }
        // A start past the end is clamped: 9 * 2 = 18 > 17 - 5, so window 9 of stride 2 is the end-aligned one too.
        CheckGather(backend, "clamped", rows, GatherLayout.Windows(rows, 1, window, 2), [9, 5, 6], (i, t) => Math.Min(i * 2, rows - window) + t, 1);
    }

    /// <summary>Gathers order[1..] (start 1, batch order.Length - 1) from a random buffer at an odd offset into a NaN-poisoned
    /// batch and compares with x[t, b, f] = data[row(i, t) * features + f] computed here in float64.</summary>
    private void CheckGather(string backend, string test, int length, GatherLayout layout, int[] order, Func<int, int, int> row, int features)
    {
        var be = fixture.Get(backend);
        var rng = NewRandom(test + backend);
        int batch = order.Length - 1, steps = layout.Steps, start = 1;
        var data = RandomArray(rng, length);
        using var d = be.Allocate(data.Length + 1);
        using var x = be.Allocate(steps * batch * features + 2);
        using var idx = be.AllocateIndices(order.Length + 1);
        be.Upload(data, d.Slice(1, data.Length));
        be.UploadIndices(order, idx, 1);
        var sx = x.Slice(1, steps * batch * features);
        be.Upload(Nans(sx.Length), sx);
        be.GatherSequences(d.Slice(1, data.Length), layout, idx, start + 1, batch, sx);
        var expected = new double[sx.Length];
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < batch; b++)
                for (int f = 0; f < features; f++)
                    expected[(t * batch + b) * features + f] = data[row(order[start + b], t) * features + f];
        var got = Read(be, sx);
        for (int i = 0; i < got.Length; i++)
            Assert.True(got[i] == (float)expected[i], $"GatherSequences ({test}) on {backend}: element {i} is {got[i]}, expected {expected[i]} {SeedNote}");
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void FillAndCopy_TouchOnlyTheirSlices(string backend)
    {
        var (be, rng) = Start(backend);
        var src = RandomArray(rng, 9);
        using var buf = be.Allocate(30);
        be.Fill(buf.All, -1f);
        be.Upload(src, buf.Slice(2, 9));
        be.Copy(buf.Slice(2, 9), buf.Slice(15, 9));
        be.Fill(buf.Slice(26, 2), 3.5f);
        var got = Read(be, buf.All);
        for (int i = 0; i < 30; i++)
        {
            float want = i is >= 2 and < 11 ? src[i - 2] : i is >= 15 and < 24 ? src[i - 15] : i is >= 26 and < 28 ? 3.5f : -1f;
            Assert.True(got[i] == want, $"Fill/Copy on {backend}: element {i} is {got[i]}, expected {want} {SeedNote}");
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void ScaleRows_OutOfPlaceAndInPlace_TouchOnlyTheirWindows(string backend)
    {
        var (be, rng) = Start(backend);
        const float pad = 7.25f;
        foreach (var (rows, cols) in new[] { (1, 1), (7, 13), (5, 37), (33, 3), (4, 0) })
        {
            int n = rows * cols;
            var x = RandomArray(rng, n, 3f);
            // zeros (dropped rows), ones (kept rows) and arbitrary scales, negative ones too
            var scales = Enumerable.Range(0, rows).Select(_ => rng.Next(4) switch { 0 => 0f, 1 => 1f, _ => (float)(rng.NextDouble() * 4 - 2) }).ToArray();
            var expected = new double[n];
            for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) expected[r * cols + c] = (double)x[r * cols + c] * scales[r];

            // x, the scales and y inside one padded buffer at odd offsets; y poisoned with NaN
            int xo = 1, so = xo + n + 2, yo = so + rows + 3, total = yo + n + 2;
            using var buf = be.Allocate(total);
            be.Fill(buf.All, pad);
            Slice sx = buf.Slice(xo, n), ss = buf.Slice(so, rows), sy = buf.Slice(yo, n);
            be.Upload(x, sx); be.Upload(scales, ss); be.Upload(Nans(n), sy);
            be.ScaleRows(sx, rows, cols, ss, sy);
            var got = Read(be, buf.All);
            for (int i = 0; i < total; i++)
            {
                float want = i >= yo && i < yo + n ? (float)expected[i - yo] : i >= xo && i < xo + n ? x[i - xo] : i >= so && i < so + rows ? scales[i - so] : pad;
                Assert.True(BitConverter.SingleToInt32Bits(got[i]) == BitConverter.SingleToInt32Bits(want) || got[i] == want,
                    $"ScaleRows {rows}x{cols} on {backend}: element {i} is {got[i]}, expected {want} {SeedNote}");
            }
            // each product is the correctly rounded float (checked bit for bit above): within half an ulp, 2^-24
            if (n > 0) Check("ScaleRows", backend, expected, got.AsSpan(yo, n).ToArray(), rel: Math.ScaleB(1, -24));

            // in place (y = x): the same values, still nothing outside x's window
            be.ScaleRows(sx, rows, cols, ss, sx);
            var inPlace = Read(be, buf.All);
            for (int i = 0; i < total; i++)
            {
                float want = i >= xo && i < xo + n ? (float)expected[i - xo] : got[i];
                Assert.True(inPlace[i] == want, $"ScaleRows in place {rows}x{cols} on {backend}: element {i} is {inPlace[i]}, expected {want} {SeedNote}");
            }
        }
    }

    public static TheoryData<string, int, bool, bool> LstmCases()
    {
        var data = new TheoryData<string, int, bool, bool>();
        foreach (var backend in LstmBackendNames)
            foreach (int steps in new[] { 1, 4 })
                foreach (bool repeat in new[] { false, true })
                    foreach (bool ragged in new[] { false, true })
                        data.Add(backend, steps, repeat, ragged);
        return data;
    }

    [Theory]
    [MemberData(nameof(LstmCases))]
    public void Lstm_ForwardAndBackward_MatchReference(string backend, int steps, bool repeat, bool ragged) =>
        LstmMatchesReference(backend, steps, 3, 5, repeat, ragged ? (steps == 1 ? [1, 0, 1] : [2, 4, 0]) : null,
            $"{nameof(Lstm_ForwardAndBackward_MatchReference)}{backend}{steps}{repeat}{ragged}");

    /// <summary>More batch rows than a persistent group holds (2 on ilgpu-cpu-persistent: groups of 2, 2 and 1 rows),
    /// odd units, more work items than threads in a group, sequences ending at every kind of step.</summary>
    [Theory]
    [MemberData(nameof(LstmBackends))]
    public void Lstm_OddShapesAndPartialGroups_MatchReference(string backend)
    {
        foreach (bool repeat in new[] { false, true })
        {
            LstmMatchesReference(backend, 6, 5, 7, repeat, [6, 3, 0, 1, 5], $"{nameof(Lstm_OddShapesAndPartialGroups_MatchReference)}{backend}{repeat}");
            LstmMatchesReference(backend, 3, 5, 7, repeat, null, $"{nameof(Lstm_OddShapesAndPartialGroups_MatchReference)}{backend}{repeat}full");
        }
    }

    private void LstmMatchesReference(string backend, int steps, int batch, int units, bool repeat, int[]? lengths, string seedName)
    {
        var be = fixture.Get(backend);
        var rng = NewRandom(seedName);
        int B = batch, U = units, G = 4 * U, T = steps;
        int xStride = repeat ? 0 : B * G;
        var xproj = RandomArray(rng, repeat ? B * G : T * B * G, 1.5f);
        var rk = RandomArray(rng, U * G, 0.6f);
        var bias = RandomArray(rng, G, 0.5f);
        var dH = RandomArray(rng, T * B * U);
        var dRk0 = RandomArray(rng, U * G);
        var dB0 = RandomArray(rng, G);

        // every tensor is a slice of one flat buffer, at odd offsets
        int[] sizes = [xproj.Length, rk.Length, bias.Length, T * B * U, T * B * U, T * B * G, T * B * U, B * U, T * B * G, U * G, G];
        using var buf = PoisonedSlices(be, sizes, out var s);
        be.Upload(xproj, s[0]); be.Upload(rk, s[1]); be.Upload(bias, s[2]);
        be.Upload(dH, s[6]); be.Upload(dRk0, s[9]); be.Upload(dB0, s[10]);
        using var len = be.AllocateIndices(B);
        if (lengths != null) be.UploadIndices(lengths, len);

        long launchesBefore = be is RecurrentAE.Kernels.Ilgpu.IlgpuBackend ib0 ? ib0.LaunchCount : 0;
        be.LstmForward(new LstmForwardArgs
        {
            Steps = T, Batch = B, Units = U, InputProjection = s[0], InputProjectionStepStride = xStride,
            RecurrentKernel = s[1], Bias = s[2], Hidden = s[3], Cell = s[4], Gates = s[5],
            Lengths = lengths != null ? len : null,
        });
        // the ILGPU path really taken: one launch for all steps when persistent, one a step otherwise
        if (be is RecurrentAE.Kernels.Ilgpu.IlgpuBackend ib)
            Assert.Equal(ib.UsesPersistentLstm(B, U) ? 1 : T, ib.LaunchCount - launchesBefore);
        var refState = ReferenceOps.LstmForward(T, B, U, D(xproj), xStride, D(rk), D(bias), lengths);
        Check("LstmForward.Hidden", backend, refState.H, Read(be, s[3]));
        Check("LstmForward.Cell", backend, refState.C, Read(be, s[4]));
        Check("LstmForward.Gates", backend, refState.Gates, Read(be, s[5]));

        launchesBefore = be is RecurrentAE.Kernels.Ilgpu.IlgpuBackend ib1 ? ib1.LaunchCount : 0;
        be.LstmBackward(new LstmBackwardArgs
        {
            Steps = T, Batch = B, Units = U, RecurrentKernel = s[1], Hidden = s[3], Cell = s[4], Gates = s[5],
            HiddenGradient = s[6], CellGradientScratch = s[7], GateGradient = s[8],
            RecurrentKernelGradient = s[9], BiasGradient = s[10], Lengths = lengths != null ? len : null,
        });
        // the backward path really taken (one launch or one a step), then the dU GEMM (T > 1) and the bias column sum
        if (be is RecurrentAE.Kernels.Ilgpu.IlgpuBackend ib2)
            Assert.Equal((ib2.UsesPersistentLstmBackward(B, U) ? 1 : T) + (T > 1 ? 1 : 0) + 1, ib2.LaunchCount - launchesBefore);
        var g = ReferenceOps.LstmBackward(T, B, U, D(rk), refState, D(dH), lengths);
        Check("LstmBackward.GateGradient", backend, g.GateGradient, Read(be, s[8]));
        Check("LstmBackward.RecurrentKernelGradient", backend,
            g.RecurrentKernelGradient.Select((v, i) => v + dRk0[i]).ToArray(), Read(be, s[9]));
        Check("LstmBackward.BiasGradient", backend, g.BiasGradient.Select((v, i) => v + dB0[i]).ToArray(), Read(be, s[10]));
    }

    /// <summary>The LSTM backward reference against central differences of L = sum(R .* H), in double, masking included.</summary>
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void LstmReferenceBackward_MatchesFiniteDifferences(bool ragged, bool repeat)
    {
        var rng = NewRandom(nameof(LstmReferenceBackward_MatchesFiniteDifferences) + ragged + repeat);
        int T = 4, B = 3, U = 3, G = 4 * U;
        int[]? lengths = ragged ? [4, 1, 0] : null;
        int xStride = repeat ? 0 : B * G;
        double[] Rand(int n, double scale) => Enumerable.Range(0, n).Select(_ => (rng.NextDouble() * 2 - 1) * scale).ToArray();
        var xproj = Rand(repeat ? B * G : T * B * G, 1.5);
        var rk = Rand(U * G, 0.6);
        var bias = Rand(G, 0.5);
        var R = Rand(T * B * U, 1);
        double Loss() => ReferenceOps.LstmForward(T, B, U, xproj, xStride, rk, bias, lengths).H.Select((h, i) => h * R[i]).Sum();

        var state = ReferenceOps.LstmForward(T, B, U, xproj, xStride, rk, bias, lengths);
        var g = ReferenceOps.LstmBackward(T, B, U, rk, state, R, lengths);
        // dL/dxproj: the sum over the steps that read each projection row
        var dX = new double[xproj.Length];
        for (int t = 0; t < T; t++)
            for (int i = 0; i < B * G; i++) dX[t * xStride + i] += g.GateGradient[t * B * G + i];

        double worst = 0;
        void Compare(string what, double[] param, double[] analytic)
        {
            const double h = 1e-6;
            for (int i = 0; i < param.Length; i++)
            {
                double keep = param[i];
                param[i] = keep + h; double up = Loss();
                param[i] = keep - h; double down = Loss();
                param[i] = keep;
                double fd = (up - down) / (2 * h);
                double err = Math.Abs(fd - analytic[i]) / Math.Max(Math.Abs(fd), 1e-3);
                worst = Math.Max(worst, err);
                Assert.True(err < 1e-6, $"reference LSTM backward, d{what}[{i}]: analytic {analytic[i]:G9}, finite difference {fd:G9} {SeedNote}");
            }
        }
        Compare("xproj", xproj, dX);
        Compare("U", rk, g.RecurrentKernelGradient);
        Compare("bias", bias, g.BiasGradient);
        output.WriteLine($"reference LSTM backward vs finite differences: max relative error {worst:E2}");
    }

    [Theory]
    [MemberData(nameof(LstmBackends))]
    public void Activations_OnDevice_FiniteAndAccurate(string backend)
    {
        // T = 1, U = 1: each batch row computes sigmoid(x) and tanh(x) of one test value into its gates.
        var be = fixture.Get(backend);
        float[] xs = [-100f, 100f, -50f, 50f, -20f, 20f, -1f, 1f, -0.3f, 0.3f, -0.25f, 0.25f, -0.2499f, 0.2499f,
            -1e-3f, 1e-3f, -1e-6f, 1e-6f, -1e-20f, 1e-20f, 0f, 88.7f, -88.7f];
        int B = xs.Length;
        var xproj = xs.SelectMany(x => new[] { x, x, x, x }).ToArray();
        using var buf = be.Allocate(xproj.Length + 4 + 1 + 3 * B + 4 * B);
        var sx = buf.Slice(0, xproj.Length);
        var sb = buf.Slice(xproj.Length, 4);
        var su = buf.Slice(xproj.Length + 4, 4);
        var sh = buf.Slice(xproj.Length + 8, B);
        var sc = buf.Slice(xproj.Length + 8 + B, B);
        var sg = buf.Slice(xproj.Length + 8 + 2 * B, 4 * B);
        be.Fill(buf.All, float.NaN);
        be.Upload(xproj, sx);
        be.Fill(sb, 0f);
        be.Fill(su, 0f);
        be.LstmForward(new LstmForwardArgs
        {
            Steps = 1, Batch = B, Units = 1, InputProjection = sx, InputProjectionStepStride = 4,
            RecurrentKernel = su, Bias = sb, Hidden = sh, Cell = sc, Gates = sg,
        });
        var gates = Read(be, sg);
        var sig = xs.Select(x => ReferenceOps.Sigmoid(x)).ToArray();
        var tanh = xs.Select(x => ReferenceOps.Tanh(x)).ToArray();
        // relative per element (floor: the smallest normal float, below which float32 has no relative accuracy)
        Check("Sigmoid (device)", backend, sig, gates.Where((_, i) => i % 4 == 0).ToArray(), rel: 2e-6, floor: 1.2e-38, include: null);
        Check("Tanh (device)", backend, tanh, gates.Where((_, i) => i % 4 == 2).ToArray(), rel: 2e-6, floor: 1.2e-38);
    }

    [Fact]
    public void Activations_OnHost_FiniteAndAccurate()
    {
        for (int e = -30; e <= 30; e++)
            foreach (double sign in new[] { -1.0, 1.0 })
            {
                float x = (float)(sign * Math.Pow(2, e / 3.0));
                foreach (var (name, got, want) in new[]
                {
                    ("Sigmoid", (double)Activations.Sigmoid(x), ReferenceOps.Sigmoid(x)),
                    ("Tanh", (double)Activations.Tanh(x), ReferenceOps.Tanh(x)),
                })
                {
                    Assert.True(double.IsFinite(got), $"{name}({x}) = {got}");
                    double err = Math.Abs(got - want) / Math.Max(Math.Abs(want), 1.2e-38);
                    Assert.True(err < 1e-6, $"{name}({x}) = {got:G9}, expected {want:G9} (relative error {err:E2})");
                }
            }
        Assert.Equal(1f, Activations.Sigmoid(100f));
        Assert.True(Activations.Sigmoid(-100f) is >= 0f and < 1e-40f);
        Assert.Equal(1f, Activations.Tanh(100f));
        Assert.Equal(-1f, Activations.Tanh(-100f));
        Assert.Equal(0f, Activations.Tanh(0f));
        Assert.Equal(0.5f, Activations.Sigmoid(0f));
    }

    public static IEnumerable<object[]> BackendsAndHeads() =>
        from b in BackendNames from h in new[] { OutputHead.Sigmoid, OutputHead.Linear, OutputHead.Softmax } select new object[] { b, h };

    [Theory]
    [MemberData(nameof(BackendsAndHeads))]
    public void HeadForward_MatchesReference(string backend, OutputHead head)
    {
        var be = fixture.Get(backend);
        var rng = NewRandom(nameof(HeadForward_MatchesReference) + backend + head);
        int rows = 7, cols = 5;
        var logits = RandomArray(rng, rows * cols, 4f);
        logits[0] = -100f; logits[1] = 100f; logits[2] = 0f; logits[3] = 1e-6f; // softmax: a row with a huge spread
        var bias = RandomArray(rng, cols, 0.5f);
        bias[0] = 0f; bias[1] = 0f; bias[2] = 0f; bias[3] = 0f;
        using var buf = be.Allocate(2 * rows * cols + cols + 3);
        var sl = buf.Slice(1, rows * cols);
        var sb = buf.Slice(2 + rows * cols, cols);
        var sp = buf.Slice(3 + rows * cols + cols, rows * cols);
        be.Upload(logits, sl); be.Upload(bias, sb); be.Upload(Nans(rows * cols), sp);
        be.HeadForward(head, sl, sb, rows, cols, sp);
        // per element relative (no rms scaling): probabilities near 0 must be relatively accurate too
        var expected = ReferenceOps.HeadForward(head, D(logits), D(bias), rows, cols);
        var got = Read(be, sp);
        for (int i = 0; i < got.Length; i++)
        {
            Assert.True(float.IsFinite(got[i]), $"HeadForward({head}) on {backend}: element {i} is {got[i]} {SeedNote}");
            double err = Math.Abs(got[i] - expected[i]) / Math.Max(Math.Abs(expected[i]), 1e-30);
            if (expected[i] > 1e-36) // below that float32 is denormal: only finiteness is asked
                Assert.True(err < 2e-6, $"HeadForward({head}) on {backend}: element {i}: got {got[i]:G9}, expected {expected[i]:G9} {SeedNote}");
        }
        Check($"HeadForward({head})", backend, expected, got);
    }

    [Theory]
    [MemberData(nameof(BackendsAndHeads))]
    public void HeadLossAndGradient_MatchesReference(string backend, OutputHead head)
    {
        var be = fixture.Get(backend);
        var rng = NewRandom(nameof(HeadLossAndGradient_MatchesReference) + backend + head);
        foreach (var (steps, batch, cols, ragged) in new[] { (1, 1, 1, false), (3, 4, 5, true), (5, 8, 25, false), (6, 7, 9, true) })
        {
            int count = steps * batch * cols;
            var p = new float[count];
            var y = new float[count];
            for (int r = 0; r < steps * batch; r++)
            {
                if (head == OutputHead.Softmax)
                {
                    // a probability row and a one-hot target
                    var z = Enumerable.Range(0, cols).Select(_ => rng.NextDouble() * 6 - 3).ToArray();
                    double s = z.Sum(Math.Exp);
                    for (int j = 0; j < cols; j++) p[r * cols + j] = (float)(Math.Exp(z[j]) / s);
                    y[r * cols + rng.Next(cols)] = 1f;
                    continue;
                }
                for (int j = 0; j < cols; j++)
                {
                    int i = r * cols + j;
                    p[i] = head == OutputHead.Linear ? (float)(rng.NextDouble() * 4 - 2) : (float)(0.001 + 0.998 * rng.NextDouble());
                    y[i] = head == OutputHead.Linear ? (float)(rng.NextDouble() * 4 - 2) : i % 5 == 0 ? 0f : i % 5 == 1 ? 1f : (float)rng.NextDouble();
                }
            }
            if (head == OutputHead.Sigmoid && count > 8) { p[2] = 0f; p[3] = 1f; p[4] = 1e-9f; p[5] = 1f - 1e-8f; p[6] = 1e-7f; }
            int[]? lengths = ragged ? Enumerable.Range(0, batch).Select(b => b == 0 ? steps : 1 + rng.Next(steps)).ToArray() : null;
            using var lengthArray = be.AllocateIndices(batch);
            if (lengths != null) be.UploadIndices(lengths, lengthArray);
            float scale = 1f / count;
            var (loss, grad) = ReferenceOps.HeadLoss(head, D(p), D(y), steps, batch, cols, lengths, scale);
            using var buf = be.Allocate(3 * count + 6);
            var sp = buf.Slice(1, count);
            var sy = buf.Slice(2 + count, count);
            var sg = buf.Slice(3 + 2 * count, count);
            var sl = buf.Slice(4 + 3 * count, 1);
            be.Upload(p, sp); be.Upload(y, sy); be.Upload(Nans(count), sg); be.Upload([float.NaN], sl);
            var args = new HeadLossArgs
            {
                Head = head, Output = sp, Targets = sy, Steps = steps, Batch = batch, Cols = cols, Scale = scale,
                Loss = sl, LogitGradient = sg, Lengths = lengths == null ? null : lengthArray,
            };
            be.HeadLossAndGradient(args);
            Check($"HeadLoss({head})", backend, [loss], Read(be, sl));
            Check($"HeadGradient({head})", backend, grad, Read(be, sg));

            // accumulate onto a previous value, no gradient wanted
            be.Upload([0.75f], sl);
            be.Upload(Nans(count), sg);
            be.HeadLossAndGradient(args with { AccumulateLoss = true, LogitGradient = default });
            Check($"HeadLoss({head})", backend, [0.75 + loss], Read(be, sl));
            Assert.All(Read(be, sg), v => Assert.True(float.IsNaN(v), $"HeadLossAndGradient on {backend} wrote a gradient it was not asked for"));
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Adam_MatchesReference(string backend)
    {
        var (be, rng) = Start(backend);
        int n = 53;
        var w = RandomArray(rng, n);
        var g = RandomArray(rng, n, 0.1f);
        var m = RandomArray(rng, n, 0.01f);
        var v = RandomArray(rng, n, 0.001f).Select(MathF.Abs).ToArray();
        var step = new AdamStep(new AdamSettings(1e-3f, 0.9f, 0.999f, 1e-7f), 3);
        using var buf = be.Allocate(4 * n + 4);
        var sw = buf.Slice(1, n); var sg = buf.Slice(2 + n, n); var sm = buf.Slice(3 + 2 * n, n); var sv = buf.Slice(4 + 3 * n, n);
        be.Upload(w, sw); be.Upload(g, sg); be.Upload(m, sm); be.Upload(v, sv);
        be.Adam(sw, sg, sm, sv, step);
        var (w2, m2, v2) = ReferenceOps.Adam(D(w), D(g), D(m), D(v), step.Settings.LearningRate, step.Settings.Beta1, step.Settings.Beta2, step.Settings.Epsilon, step.Step);
        Check("Adam.Parameters", backend, w2, Read(be, sw));
        Check("Adam.FirstMoment", backend, m2, Read(be, sm));
        Check("Adam.SecondMoment", backend, v2, Read(be, sv));
        Assert.Equal(g, Read(be, sg));
    }
}

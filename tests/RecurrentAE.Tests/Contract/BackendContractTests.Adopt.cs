namespace RecurrentAE.Tests.Contract;

/// <summary>
/// <see cref="IComputeBackend.Adopt"/>: a host array held as resident data (in place on the CPU backend, uploaded on
/// ILGPU) gives every op that reads it exactly what the same values uploaded into an allocated array give, and no op
/// changes the host array.
/// </summary>
public sealed partial class BackendContractTests
{
    /// <summary>The ops that read a float array, by name.</summary>
    private static readonly string[] ReadingOps =
        ["Download", "Copy", "GemmA", "GemmB", "ColumnSum", "ScaleRowsX", "ScaleRowsScales", "GatherSequences",
         "HeadForward", "HeadLoss", "LstmForwardAndBackward", "Adam"];

    public static TheoryData<string, string> AdoptCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var backend in BackendNames)
            foreach (var op in ReadingOps)
                data.Add(backend, op);
        return data;
    }

    [Theory]
    [MemberData(nameof(AdoptCases))]
    public void Adopted_host_array_reads_like_an_uploaded_one(string backend, string op)
    {
        var be = fixture.Get(backend);
        var rng = NewRandom(nameof(Adopted_host_array_reads_like_an_uploaded_one) + backend + op);
        // values in (0, 1): valid probabilities and targets for the loss, harmless everywhere else
        var host = Enumerable.Range(0, 601).Select(_ => (float)(0.001 + 0.998 * rng.NextDouble())).ToArray();
        var original = (float[])host.Clone();
        var others = Enumerable.Range(0, 601).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();

        using var uploaded = be.Allocate(host.Length);
        be.Upload(host, uploaded.All);
        using var adopted = be.Adopt(host);
        Assert.Equal(host.Length, adopted.Length);
        var fromUpload = RunReadingOp(be, op, uploaded, others);
        var fromAdopted = RunReadingOp(be, op, adopted, others);

        Assert.Equal(fromUpload.Length, fromAdopted.Length);
        Assert.True(fromUpload.Length > 0);
        for (int i = 0; i < fromUpload.Length; i++)
            Assert.True(fromAdopted[i] == fromUpload[i] && float.IsFinite(fromAdopted[i]),
                $"{op} on {backend}: output {i} is {fromAdopted[i]} from the adopted array, {fromUpload[i]} from the uploaded one {SeedNote}");
        Assert.Equal(original, host); // the ops only read it
        Assert.Equal(original, Read(be, adopted.All));
    }

    /// <summary>Runs <paramref name="op"/> with its read-only float input(s) taken from <paramref name="source"/> (at odd
    /// offsets), every other input uploaded from <paramref name="others"/>; returns what it wrote.</summary>
    private static float[] RunReadingOp(IComputeBackend be, string op, DeviceArray source, float[] others)
    {
        using var scratch = be.Allocate(4096);
        be.Fill(scratch.All, float.NaN);
        var o = scratch.Slice(7, 2000);
        using var other = be.Allocate(others.Length);
        be.Upload(others, other.All);
        Slice In(int offset, int length) => source.Slice(offset, length);
        Slice Other(int offset, int length) => other.Slice(offset, length);
        switch (op)
        {
            case "Download":
                return Read(be, In(3, 500));
            case "Copy":
                be.Copy(In(5, 100), o.Sub(0, 100));
                return Read(be, o.Sub(0, 100));
            case "GemmA":
                // C (6 x 7) = A^T (A stored 5 x 6) B (5 x 7)
                be.Gemm(Transpose.Yes, Transpose.No, 6, 7, 5, 1f, In(1, 30), 6, Other(0, 35), 7, 0f, o.Sub(0, 42), 7);
                return Read(be, o.Sub(0, 42));
            case "GemmB":
                be.Gemm(Transpose.No, Transpose.Yes, 6, 7, 5, 0.5f, Other(0, 30), 5, In(9, 35), 5, 0f, o.Sub(0, 42), 7);
                return Read(be, o.Sub(0, 42));
            case "ColumnSum":
                be.ColumnSum(In(2, 9 * 13), 9, 13, o.Sub(0, 13), accumulate: false);
                return Read(be, o.Sub(0, 13));
            case "ScaleRowsX":
                be.ScaleRows(In(4, 8 * 9), 8, 9, Other(0, 8), o.Sub(0, 72));
                return Read(be, o.Sub(0, 72));
            case "ScaleRowsScales":
                be.ScaleRows(Other(0, 72), 8, 9, In(11, 8), o.Sub(0, 72));
                return Read(be, o.Sub(0, 72));
            case "GatherSequences":
            {
                // 6 sequences of 4 steps x 3 features; a batch of 4 in a shuffled order
                using var order = be.AllocateIndices(5);
                be.UploadIndices([5, 2, 0, 4, 1], order);
                be.GatherSequences(In(1, 6 * 12), GatherLayout.Sequences(4, 3), order, 1, 4, o.Sub(0, 48));
                return Read(be, o.Sub(0, 48));
            }
            case "HeadForward":
                be.HeadForward(OutputHead.Sigmoid, In(3, 40), In(50, 8), 5, 8, o.Sub(0, 40));
                return Read(be, o.Sub(0, 40));
            case "HeadLoss":
            {
                // predictions and targets both read from the source, with a loss and a gradient
                var loss = o.Sub(0, 1);
                var grad = o.Sub(1, 60);
                be.Fill(loss, 0f);
                be.HeadLossAndGradient(new HeadLossArgs
                {
                    Head = OutputHead.Sigmoid, Output = In(1, 60), Targets = In(100, 60), Steps = 3, Batch = 4, Cols = 5,
                    Scale = 1f / 60, Loss = loss, LogitGradient = grad,
                });
                return Read(be, o.Sub(0, 61));
            }
            case "LstmForwardAndBackward":
            {
                // the input projection, recurrent kernel and bias all come from the source
                const int T = 3, B = 2, U = 4, G = 4 * U;
                Slice h = o.Sub(0, T * B * U), c = o.Sub(100, T * B * U), gates = o.Sub(200, T * B * G),
                    dH = o.Sub(400, T * B * U), dc = o.Sub(500, B * U), dz = o.Sub(600, T * B * G),
                    dRk = o.Sub(800, U * G), dBias = o.Sub(900, G);
                Slice rk = In(200, U * G), bias = In(300, G);
                be.LstmForward(new LstmForwardArgs
                {
                    Steps = T, Batch = B, Units = U, InputProjection = In(1, T * B * G), InputProjectionStepStride = B * G,
                    RecurrentKernel = rk, Bias = bias, Hidden = h, Cell = c, Gates = gates,
                });
                be.Upload(others.AsSpan(0, T * B * U), dH);
                be.Fill(dRk, 0f);
                be.Fill(dBias, 0f);
                be.LstmBackward(new LstmBackwardArgs
                {
                    Steps = T, Batch = B, Units = U, RecurrentKernel = rk, Hidden = h, Cell = c, Gates = gates,
                    HiddenGradient = dH, CellGradientScratch = dc, GateGradient = dz, RecurrentKernelGradient = dRk, BiasGradient = dBias,
                });
                return [.. Read(be, h), .. Read(be, c), .. Read(be, gates), .. Read(be, dz), .. Read(be, dRk), .. Read(be, dBias)];
            }
            case "Adam":
            {
                var parameters = o.Sub(0, 50);
                var m = o.Sub(100, 50);
                var v = o.Sub(200, 50);
                be.Upload(others.AsSpan(0, 50), parameters);
                be.Fill(m, 0.01f);
                be.Fill(v, 0.02f);
                be.Adam(parameters, In(7, 50), m, v, new AdamStep(new AdamSettings(1e-3f, 0.9f, 0.999f, 1e-7f), 3));
                return [.. Read(be, parameters), .. Read(be, m), .. Read(be, v)];
            }
            default:
                throw new ArgumentException($"no reading op {op}", nameof(op));
        }
    }
}

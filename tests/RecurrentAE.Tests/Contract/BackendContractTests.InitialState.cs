using RecurrentAE.Kernels.Ilgpu;

namespace RecurrentAE.Tests.Contract;

/// <summary>The LSTM forward from a given initial state (h_{-1}, c_{-1}): what greedy decoding runs one step at a time.</summary>
public sealed partial class BackendContractTests
{
    /// <summary>steps, batch, units, lengths (null: full), which initial tensors are given (h, c).</summary>
    public static TheoryData<string, int, int, int, int[]?, bool, bool> InitialStateCases()
    {
        var data = new TheoryData<string, int, int, int, int[]?, bool, bool>();
        foreach (var backend in LstmBackendNames)
        {
            data.Add(backend, 4, 5, 7, [4, 0, 2, 1, 3], true, true);
            data.Add(backend, 3, 3, 5, null, true, true);
            data.Add(backend, 1, 5, 7, [1, 0, 1, 1, 0], true, false);
            data.Add(backend, 3, 3, 5, null, false, true);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(InitialStateCases))]
    public void LstmForward_FromAnInitialState_MatchesReference(string backend, int steps, int batch, int units, int[]? lengths,
        bool withHidden, bool withCell)
    {
        var be = fixture.Get(backend);
        var rng = NewRandom($"{nameof(LstmForward_FromAnInitialState_MatchesReference)}{backend}{steps}{batch}{units}{lengths is null}{withHidden}{withCell}");
        int B = batch, U = units, G = 4 * U, T = steps;
        var xproj = RandomArray(rng, T * B * G, 1.5f);
        var rk = RandomArray(rng, U * G, 0.6f);
        var bias = RandomArray(rng, G, 0.5f);
        var h0 = RandomArray(rng, B * U, 0.9f);
        var c0 = RandomArray(rng, B * U, 2f);

        // every tensor a slice of one flat buffer at odd offsets: xproj, rk, bias, h0, c0, H, C, gates
        int[] sizes = [xproj.Length, rk.Length, bias.Length, B * U, B * U, T * B * U, T * B * U, T * B * G];
        using var buf = PoisonedSlices(be, sizes, out var s);
        be.Upload(xproj, s[0]); be.Upload(rk, s[1]); be.Upload(bias, s[2]); be.Upload(h0, s[3]); be.Upload(c0, s[4]);
        using var len = be.AllocateIndices(B);
        if (lengths != null) be.UploadIndices(lengths, len);

        long launchesBefore = be is IlgpuBackend ib0 ? ib0.LaunchCount : 0;
        be.LstmForward(new LstmForwardArgs
        {
            Steps = T, Batch = B, Units = U, InputProjection = s[0], InputProjectionStepStride = B * G,
            RecurrentKernel = s[1], Bias = s[2], Hidden = s[5], Cell = s[6], Gates = s[7],
            Lengths = lengths != null ? len : null,
            InitialHidden = withHidden ? s[3] : default, InitialCell = withCell ? s[4] : default,
        });
        // an initial state always takes the per-step kernels on ILGPU (the persistent ones start from zeros)
        if (be is IlgpuBackend ib) Assert.Equal(T, ib.LaunchCount - launchesBefore);
        var expected = ReferenceOps.LstmForward(T, B, U, D(xproj), B * G, D(rk), D(bias), lengths,
            withHidden ? D(h0) : null, withCell ? D(c0) : null);
        string op = $"LstmForward(initial {(withHidden ? "h" : "")}{(withCell ? "c" : "")})";
        Check(op + ".Hidden", backend, expected.H, Read(be, s[5]));
        Check(op + ".Cell", backend, expected.C, Read(be, s[6]));
        Check(op + ".Gates", backend, expected.Gates, Read(be, s[7]));
        // the initial state is read, never written
        Assert.Equal(h0, Read(be, s[3]));
        Assert.Equal(c0, Read(be, s[4]));
    }

    /// <summary>T steps in one call equal T calls of one step, each continuing from the state the one before left
    /// (lengths shifted by the step, so a sequence that ended keeps its state), from the same initial state.</summary>
    [Theory]
    [MemberData(nameof(LstmBackends))]
    public void LstmForward_StepByStepCarryingTheState_EqualsAllStepsAtOnce(string backend)
    {
        foreach (bool ragged in new[] { false, true })
        {
            var be = fixture.Get(backend);
            var rng = NewRandom($"{nameof(LstmForward_StepByStepCarryingTheState_EqualsAllStepsAtOnce)}{backend}{ragged}");
            int T = 5, B = 5, U = 7, G = 4 * U;
            int[]? lengths = ragged ? [5, 0, 3, 1, 4] : null;
            var xproj = RandomArray(rng, T * B * G, 1.5f);
            var rk = RandomArray(rng, U * G, 0.6f);
            var bias = RandomArray(rng, G, 0.5f);
            var h0 = RandomArray(rng, B * U, 0.9f);
            var c0 = RandomArray(rng, B * U, 2f);
            // xproj, rk, bias, h0, c0, then H, C, gates of the one call and of the step-by-step calls
            int[] sizes = [xproj.Length, rk.Length, bias.Length, B * U, B * U, T * B * U, T * B * U, T * B * G, T * B * U, T * B * U, T * B * G];
            using var buf = PoisonedSlices(be, sizes, out var s);
            be.Upload(xproj, s[0]); be.Upload(rk, s[1]); be.Upload(bias, s[2]); be.Upload(h0, s[3]); be.Upload(c0, s[4]);
            using var len = be.AllocateIndices(B);
            if (lengths != null) be.UploadIndices(lengths, len);
            be.LstmForward(new LstmForwardArgs
            {
                Steps = T, Batch = B, Units = U, InputProjection = s[0], InputProjectionStepStride = B * G,
                RecurrentKernel = s[1], Bias = s[2], Hidden = s[5], Cell = s[6], Gates = s[7],
                Lengths = lengths != null ? len : null, InitialHidden = s[3], InitialCell = s[4],
            });
            using var stepLengths = be.AllocateIndices(B);
            for (int t = 0; t < T; t++)
            {
                if (lengths != null) be.UploadIndices(lengths.Select(l => Math.Max(0, l - t)).ToArray(), stepLengths);
                be.LstmForward(new LstmForwardArgs
                {
                    Steps = 1, Batch = B, Units = U, InputProjection = s[0].Sub(t * B * G, B * G), InputProjectionStepStride = B * G,
                    RecurrentKernel = s[1], Bias = s[2],
                    Hidden = s[8].Sub(t * B * U, B * U), Cell = s[9].Sub(t * B * U, B * U), Gates = s[10].Sub(t * B * G, B * G),
                    Lengths = lengths != null ? stepLengths : null,
                    InitialHidden = t == 0 ? s[3] : s[8].Sub((t - 1) * B * U, B * U),
                    InitialCell = t == 0 ? s[4] : s[9].Sub((t - 1) * B * U, B * U),
                });
            }
            string op = $"LstmForward(step by step{(ragged ? ", ragged" : "")})";
            var expected = ReferenceOps.LstmForward(T, B, U, D(xproj), B * G, D(rk), D(bias), lengths, D(h0), D(c0));
            Check(op + ".Hidden, all at once", backend, expected.H, Read(be, s[5]));
            Check(op + ".Hidden", backend, D(Read(be, s[5])), Read(be, s[8]), rel: 1e-6);
            Check(op + ".Cell", backend, D(Read(be, s[6])), Read(be, s[9]), rel: 1e-6);
            Check(op + ".Gates", backend, D(Read(be, s[7])), Read(be, s[10]), rel: 1e-6);
        }
    }
}

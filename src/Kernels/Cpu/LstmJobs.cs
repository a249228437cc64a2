using System.Runtime.Intrinsics;

namespace RecurrentAE.Kernels.Cpu;

/// <summary>Shared state of the LSTM sequence jobs. Each thread takes a contiguous share of the batch (whole register
/// panels) and runs it through every step: batch rows are independent through time, so the only sync is the end of
/// the op, not one per step.</summary>
internal abstract unsafe class LstmJob(ThreadScratch[] scratch) : ParallelJob
{
    protected readonly ThreadScratch[] Scratch = scratch;
    public SimdLevel Level;
    public int Steps, Batch, Units;
    public int[]? Lengths;

    /// <summary>The recurrent kernel packed once per call: U for forward, U^T for backward.</summary>
    public float* PackedKernel;

    public override void Execute(int index, int count, int thread)
    {
        switch (Level)
        {
            case SimdLevel.Vector512: Split<V512, Vector512<float>>(index, count, thread); break;
            case SimdLevel.Vector256: Split<V256, Vector256<float>>(index, count, thread); break;
            default: Split<Scalar1, float>(index, count, thread); break;
        }
    }

    private void Split<S, TV>(int index, int count, int thread) where S : struct, ISimd<TV> where TV : struct
    {
        int mr = S.TileRows;
        int panels = (Batch + mr - 1) / mr;
        int b0 = Math.Min(Batch, panels * index / count * mr), b1 = Math.Min(Batch, panels * (index + 1) / count * mr);
        if (b1 > b0) Rows<S, TV>(b0, b1, Scratch[thread]);
    }

    protected bool Masked(int t, int b) => Lengths != null && t >= Lengths[b];

    protected abstract void Rows<S, TV>(int b0, int b1, ThreadScratch scratch) where S : struct, ISimd<TV> where TV : struct;
}

/// <summary>Forward over all steps for rows [b0, b1): z_t = xproj_t + b (into the Gates buffer), += h_{t-1} U (register
/// tiles), then activations and the cell update in place while z is still in L1.</summary>
internal sealed unsafe class LstmForwardJob(ThreadScratch[] scratch) : LstmJob(scratch)
{
    public float* InputProjection, Bias, Hidden, Cell, Gates;
    public int StepStride;

    /// <summary>h_{-1} and c_{-1}, (batch, units); null: zeros.</summary>
    public float* InitialHidden, InitialCell;

    /// <summary>h_{t-1} of row b: the previous step's, or at t = 0 the initial state (null: zeros).</summary>
    private float* PrevHidden(int t, int b) =>
        t > 0 ? Hidden + ((long)(t - 1) * Batch + b) * Units : InitialHidden == null ? null : InitialHidden + (long)b * Units;

    /// <summary>c_{t-1} of row b, as <see cref="PrevHidden"/>.</summary>
    private float* PrevCell(int t, int b) =>
        t > 0 ? Cell + ((long)(t - 1) * Batch + b) * Units : InitialCell == null ? null : InitialCell + (long)b * Units;

    protected override void Rows<S, TV>(int b0, int b1, ThreadScratch scratch)
    {
        int B = Batch, U = Units, G = 4 * U;
        for (int t = 0; t < Steps; t++)
        {
            float* zt = Gates + (long)t * B * G;
            for (int b = b0; b < b1; b++)
                LstmPointwise.AddBias<S, TV>(0, G, InputProjection + (long)t * StepStride + (long)b * G, Bias, zt + (long)b * G);
            float* hPrev = PrevHidden(t, b0);
            if (hPrev != null)
                GemmDriver.MultiplyPackedB<S, TV>(b1 - b0, hPrev, U, U, PackedKernel, G,
                    zt + (long)b0 * G, G, 1f, scratch);
            for (int b = b0; b < b1; b++)
            {
                long row = (long)t * B + b;
                float* hOut = Hidden + row * U, cOut = Cell + row * U;
                if (Masked(t, b))
                {
                    // past the sequence's end its state carries over unchanged (Keras masking), gates are zero
                    CarryOrClear(PrevHidden(t, b), hOut, U);
                    CarryOrClear(PrevCell(t, b), cOut, U);
                    LstmPointwise.Clear(zt + (long)b * G, G);
                    continue;
                }
                LstmPointwise.Forward<S, TV>(0, U, zt + (long)b * G, PrevCell(t, b), cOut, hOut);
            }
        }
    }

    private static void CarryOrClear(float* from, float* to, int n)
    {
        if (from == null) LstmPointwise.Clear(to, n);
        else Buffer.MemoryCopy(from, to, n * sizeof(float), n * sizeof(float));
    }
}

/// <summary>Backward over all steps in reverse for rows [b0, b1): pointwise dz and dc, then dh_{t-1} += dz_t U^T.
/// The recurrent-kernel and bias gradients are left to one big GEMM and one column sum after the sequence.</summary>
internal sealed unsafe class LstmBackwardJob(ThreadScratch[] scratch) : LstmJob(scratch)
{
    public float* Cell, Gates, HiddenGradient, CellGradient, GateGradient;

    protected override void Rows<S, TV>(int b0, int b1, ThreadScratch scratch)
    {
        int B = Batch, U = Units, G = 4 * U;
        LstmPointwise.Clear(CellGradient + (long)b0 * U, (b1 - b0) * U);
        for (int t = Steps - 1; t >= 0; t--)
        {
            for (int b = b0; b < b1; b++)
            {
                long row = (long)t * B + b;
                float* dh = HiddenGradient + row * U, dz = GateGradient + row * G;
                if (Masked(t, b))
                {
                    // the state was copied forward: its gradient flows straight back to step t-1
                    LstmPointwise.Clear(dz, G);
                    if (t > 0) LstmPointwise.AddTo<S, TV>(0, U, dh, dh - (long)B * U);
                    continue;
                }
                float* c = Cell + row * U;
                LstmPointwise.Backward<S, TV>(0, U, Gates + row * G, c, t > 0 ? c - (long)B * U : null, dh,
                    CellGradient + (long)b * U, dz);
            }
            if (t > 0)
                GemmDriver.MultiplyPackedB<S, TV>(b1 - b0, GateGradient + ((long)t * B + b0) * G, G, G, PackedKernel, U,
                    HiddenGradient + ((long)(t - 1) * B + b0) * U, U, 1f, scratch);
        }
    }
}

using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RecurrentAE.Kernels.Cpu;

/// <summary>How an LSTM sequence op is spread over the pool's threads.</summary>
internal enum LstmSplit
{
    /// <summary>Chosen per op from its shape (see <see cref="CpuBackend"/>).</summary>
    Auto,

    /// <summary>Each thread runs a contiguous share of the batch (whole register panels) through every step: rows are
    /// independent through time, so nothing syncs until the op ends. Needs many rows per thread to pay.</summary>
    Batch,

    /// <summary>Each step is cut into slices of units (a slice owns its units' columns in all four gate blocks, for the
    /// whole batch); threads claim slices and meet once per step, since step t needs all of h_{t-1} (or dz_{t+1}).</summary>
    Units,
}

/// <summary>
/// Shared state of the LSTM sequence jobs. The work is items (step, rows [b0, b1), unit slice): one thread runs all
/// steps of its rows with one slice of all units (<see cref="Slices"/> = 1: one thread or <see cref="LstmSplit.Batch"/>),
/// or, with several slices (<see cref="LstmSplit.Units"/>), every participant claims (step, slice) items in order from
/// one counter and starts a step's item only once every item of the previous step is done. Claiming keeps the split
/// robust on a busy machine: a worker that starts late joins at the current step, and one that never starts leaves
/// the caller to run every item (only a thread descheduled while holding an item makes the others wait).
/// </summary>
internal abstract unsafe class LstmJob(ThreadScratch[] scratch) : ParallelJob
{
    protected readonly ThreadScratch[] Scratch = scratch;
    public SimdLevel Level;
    public int Steps, Batch, Units;
    public int[]? Lengths;

    /// <summary>Unit slices per step: cut at multiples of the vector width, each packed separately.</summary>
    public int Slices = 1;

    /// <summary>The recurrent kernel as given, (units, 4*units), and its per-slice packed copies (see <see cref="PackStrips"/>).</summary>
    public float* RecurrentKernel, PackedKernel;

    private Progress _progress;

    /// <summary>The claim and completion counters of the slice split, on cache lines of their own.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private struct Progress
    {
        [FieldOffset(64)] public int Next;
        [FieldOffset(128)] public int Done;
    }

    protected int Width => Level switch { SimdLevel.Vector512 => V512.Count, SimdLevel.Vector256 => V256.Count, _ => Scalar1.Count };

    /// <summary>Units [u0, u1) of slice s: the op's vectors of units shared out evenly.</summary>
    protected (int U0, int U1) SliceUnits(int s)
    {
        int width = Width, vectors = (Units + width - 1) / width;
        return (Math.Min(Units, vectors * s / Slices * width), Math.Min(Units, vectors * (s + 1) / Slices * width));
    }

    /// <summary>Depth and columns of one slice's packed operand.</summary>
    protected abstract (int Depth, int Columns) SliceShape(int width);

    protected float* PackedSlice(int s)
    {
        long offset = 0;
        for (int p = 0; p < s; p++) offset += PackedSliceSize(p);
        return PackedKernel + offset;
    }

    private int PackedSliceSize(int s)
    {
        var (u0, u1) = SliceUnits(s);
        var (k, n) = SliceShape(u1 - u0);
        return GemmDriver.PackedBSize(k, n, 2 * Width);
    }

    /// <summary>Floats that <see cref="PackedKernel"/> must hold for the current shape and slices.</summary>
    public int PackedSize()
    {
        int total = 0;
        for (int s = 0; s < Slices; s++) total += PackedSliceSize(s);
        return total;
    }

    /// <summary>Strips of slice s's packed kernel (the unit of packing work).</summary>
    protected int Strips(int s)
    {
        var (u0, u1) = SliceUnits(s);
        int nr = 2 * Width;
        return (SliceShape(u1 - u0).Columns + nr - 1) / nr;
    }

    /// <summary>Packs strips [s0, s1) of slice s of the recurrent kernel.</summary>
    protected abstract void PackStrips(int s, int s0, int s1);

    /// <summary>Whether the op's first step multiplies by the recurrent kernel (not when it starts from a zero state).</summary>
    protected virtual bool FirstStepUsesKernel => false;

    private int _packChunks;

    /// <summary>Call after setting the fields, before running.</summary>
    public void Reset()
    {
        _progress.Next = 0;
        _progress.Done = 0;
        _packChunks = Slices == 1 ? Math.Min(Strips(0), 4 * Scratch.Length) : 0;
    }

    public override void Execute(int index, int count, int thread)
    {
        switch (Level)
        {
            case SimdLevel.Vector512: Run<V512, Vector512<float>>(index, count, thread); break;
            case SimdLevel.Vector256: Run<V256, Vector256<float>>(index, count, thread); break;
            default: Run<Scalar1, float>(index, count, thread); break;
        }
    }

    /// <summary>One slice: the participants first share the packing out in chunks of strips, claimed from the counter
    /// (the first step needs no kernel, so a thread waits for the packing only after it), then each runs its rows.</summary>
    private void Run<S, TV>(int index, int count, int thread) where S : struct, ISimd<TV> where TV : struct
    {
        var scratch = Scratch[thread];
        if (Slices > 1)
        {
            Claim<S, TV>(scratch);
            return;
        }
        int chunks = _packChunks, strips = Strips(0);
        for (int k; (k = Interlocked.Increment(ref _progress.Next) - 1) < chunks;)
        {
            PackStrips(0, strips * k / chunks, strips * (k + 1) / chunks);
            Interlocked.Increment(ref _progress.Done);
        }
        int mr = S.TileRows;
        int panels = (Batch + mr - 1) / mr;
        int b0 = Math.Min(Batch, panels * index / count * mr), b1 = Math.Min(Batch, panels * (index + 1) / count * mr);
        if (b1 <= b0) return;
        BeginRows(index, b0, b1);
        for (int i = 0; i < Steps; i++)
        {
            if (i == (FirstStepUsesKernel ? 0 : 1)) WaitForDone(chunks);
            Item<S, TV>(i, b0, b1, 0, index, scratch);
        }
    }

    /// <summary>Called once per share of rows (index: the share) before its steps.</summary>
    protected virtual void BeginRows(int index, int b0, int b1) { }

    /// <summary>The slice split: claim (step, slice) items in order until none are left. The item that first uses a
    /// slice packs it, so the packing is split too.</summary>
    private void Claim<S, TV>(ThreadScratch scratch) where S : struct, ISimd<TV> where TV : struct
    {
        int slices = Slices, items = Steps * slices;
        while (true)
        {
            int k = Interlocked.Increment(ref _progress.Next) - 1;
            if (k >= items) return;
            int i = k / slices, s = k - i * slices;
            if (i == 0) PackStrips(s, 0, Strips(s));
            if (i > 0 || FirstStepUsesKernel) WaitForDone(i * slices);
            Item<S, TV>(i, 0, Batch, s, -1, scratch);
            Interlocked.Increment(ref _progress.Done); // full fence: this item's writes are visible before the count
        }
    }

    /// <summary>The per-step barrier: spins (the other threads are mid-step, microseconds away), then yields the core
    /// in case the thread being waited for was preempted onto this one.</summary>
    private void WaitForDone(int target)
    {
        for (int spins = 0; Volatile.Read(ref _progress.Done) < target; spins++)
        {
            if (spins < 4096) Thread.SpinWait(1);
            else Thread.Yield();
        }
    }

    protected bool Masked(int t, int b) => Lengths != null && t >= Lengths[b];

    /// <summary>The i-th step of the op (in its own time order) for rows [b0, b1) and unit slice s; share is the index
    /// of the share of rows (-1 in the slice split, where an item has every row).</summary>
    protected abstract void Item<S, TV>(int i, int b0, int b1, int s, int share, ThreadScratch scratch) where S : struct, ISimd<TV> where TV : struct;
}

/// <summary>Forward: for step t and a slice of w units, r = h_{t-1} U[:, slice's gate columns] (register tiles into a
/// per-thread block of rows x 4w), then z = xproj_t + b + r, the activations and the cell update per row while r is
/// still in L1. h_{-1} = c_{-1} = 0.</summary>
internal sealed unsafe class LstmForwardJob(ThreadScratch[] scratch) : LstmJob(scratch)
{
    public float* InputProjection, Bias, Hidden, Cell, Gates;
    public int StepStride;

    /// <summary>Rows of r per block: r (rows x 4w) stays within ~32 KB, so it is still in L1 for the pointwise pass.</summary>
    private const int BlockFloats = 8192;

    protected override (int Depth, int Columns) SliceShape(int width) => (Units, 4 * width);

    protected override void PackStrips(int s, int s0, int s1)
    {
        var (u0, u1) = SliceUnits(s);
        GemmPacking.PackGateSlice(RecurrentKernel, Units, u0, u1 - u0, 2 * Width, s0, s1, PackedSlice(s));
    }

    /// <summary>h_{t-1} and c_{t-1} rows of the whole batch; null at t = 0 (a zero state).</summary>
    private float* PreviousHidden(int t) => t > 0 ? Hidden + (long)(t - 1) * Batch * Units : null;
    private float* PreviousCell(int t) => t > 0 ? Cell + (long)(t - 1) * Batch * Units : null;

    protected override void Item<S, TV>(int t, int b0, int b1, int s, int share, ThreadScratch scratch)
    {
        int B = Batch, U = Units, G = 4 * U, mr = S.TileRows;
        var (u0, u1) = SliceUnits(s);
        int w = u1 - u0, n = 4 * w;
        float* hPrev = PreviousHidden(t), cPrev = PreviousCell(t);
        float* x = InputProjection + (long)t * StepStride, z = Gates + (long)t * B * G;
        float* h = Hidden + (long)t * B * U, c = Cell + (long)t * B * U;
        int block = Math.Max(mr, BlockFloats / n / mr * mr);
        float* r = hPrev == null ? null : scratch.Recurrent.Ensure(block * n);
        float* packed = hPrev == null ? null : PackedSlice(s);
        for (int rb = b0; rb < b1; rb += block)
        {
            int rows = Math.Min(block, b1 - rb);
            if (hPrev != null) GemmDriver.MultiplyPackedB<S, TV>(rows, hPrev + (long)rb * U, U, U, packed, n, r, n, 0f);
            for (int b = rb; b < rb + rows; b++)
            {
                long o = (long)b * U + u0, og = (long)b * G + u0;
                if (Masked(t, b))
                {
                    // past the sequence's end its state carries over unchanged (Keras masking), gates are zero
                    Carry(hPrev, h, o, w);
                    Carry(cPrev, c, o, w);
                    for (int g = 0; g < 4; g++) LstmPointwise.Clear(z + og + g * U, w);
                    continue;
                }
                LstmPointwise.Forward<S, TV>(w, U, r == null ? null : r + (long)(b - rb) * n, w, x + og, Bias + u0,
                    cPrev == null ? null : cPrev + o, c + o, h + o, z + og);
            }
        }
    }

    private static void Carry(float* previous, float* current, long offset, int n)
    {
        if (previous == null) LstmPointwise.Clear(current + offset, n);
        else Buffer.MemoryCopy(previous + offset, current + offset, n * sizeof(float), n * sizeof(float));
    }
}

/// <summary>Backward in reverse time: for step t and a slice of w units, dh_t[:, slice] += dz_{t+1} U^T[:, slice]
/// (which needs all of dz_{t+1}: the step's one sync), then the pointwise dz_t and dc for the slice's units, adding dz
/// into the bias gradient on the way (one partial sum per share of rows, added in share order after the op, so the
/// result does not depend on which thread ran which share). The recurrent-kernel gradient is left to one big GEMM
/// after the sequence.</summary>
internal sealed unsafe class LstmBackwardJob : LstmJob
{
    public float* Cell, Gates, HiddenGradient, CellGradient, GateGradient, BiasGradient;
    private readonly AlignedBuffer[] _biasPartials;

    public LstmBackwardJob(ThreadScratch[] scratch) : base(scratch)
    {
        _biasPartials = new AlignedBuffer[scratch.Length];
        for (int i = 0; i < scratch.Length; i++) _biasPartials[i] = new AlignedBuffer();
    }

    /// <summary>Sizes the partial sums for the current shape (allocates only when it grows).</summary>
    public void EnsureBiasPartials()
    {
        foreach (var p in _biasPartials) p.Ensure(4 * Units);
    }

    protected override void BeginRows(int index, int b0, int b1) => LstmPointwise.Clear(_biasPartials[index].Pointer, 4 * Units);

    /// <summary>After the op: adds the shares' partial sums into the bias gradient (the slice split adds directly).</summary>
    public void AddBiasPartials()
    {
        switch (Level)
        {
            case SimdLevel.Vector512: AddBiasPartials<V512, Vector512<float>>(); break;
            case SimdLevel.Vector256: AddBiasPartials<V256, Vector256<float>>(); break;
            default: AddBiasPartials<Scalar1, float>(); break;
        }
    }

    private void AddBiasPartials<S, TV>() where S : struct, ISimd<TV> where TV : struct
    {
        if (Slices > 1) return;
        int mr = S.TileRows, panels = (Batch + mr - 1) / mr, G = 4 * Units;
        for (int k = 0; k < Chunks; k++)
            if (Math.Min(Batch, panels * (k + 1) / Chunks * mr) > Math.Min(Batch, panels * k / Chunks * mr))
                LstmPointwise.AddTo<S, TV>(G, _biasPartials[k].Pointer, BiasGradient);
    }

    protected override (int Depth, int Columns) SliceShape(int width) => (4 * Units, width);

    protected override void PackStrips(int s, int s0, int s1)
    {
        var (u0, u1) = SliceUnits(s);
        int nr = 2 * Width, j0 = s0 * nr, j1 = Math.Min(u1 - u0, s1 * nr), k = 4 * Units;
        // U^T's columns [u0 + j0, u0 + j1): its strips are k x nr each, a last narrow one after them
        GemmPacking.PackB(true, RecurrentKernel, k, 0, k, u0 + j0, j1 - j0, nr, PackedSlice(s) + (long)s0 * k * nr);
    }

    protected override void Item<S, TV>(int i, int b0, int b1, int s, int share, ThreadScratch scratch)
    {
        int B = Batch, U = Units, G = 4 * U, t = Steps - 1 - i;
        var (u0, u1) = SliceUnits(s);
        int w = u1 - u0;
        float* dh = HiddenGradient + (long)t * B * U, dz = GateGradient + (long)t * B * G;
        float* dbias = (share < 0 ? BiasGradient : _biasPartials[share].Pointer) + u0;
        if (t < Steps - 1)
            GemmDriver.MultiplyPackedB<S, TV>(b1 - b0, dz + (long)(B + b0) * G, G, G, PackedSlice(s), w, dh + (long)b0 * U + u0, U, 1f);
        else
            for (int b = b0; b < b1; b++) LstmPointwise.Clear(CellGradient + (long)b * U + u0, w);
        float* c = Cell + (long)t * B * U;
        for (int b = b0; b < b1; b++)
        {
            long o = (long)b * U + u0, og = (long)b * G + u0;
            if (Masked(t, b))
            {
                // the state was copied forward: its gradient flows straight back to step t-1
                for (int g = 0; g < 4; g++) LstmPointwise.Clear(dz + og + g * U, w);
                if (t > 0) LstmPointwise.AddTo<S, TV>(w, dh + o, dh - (long)B * U + o);
                continue;
            }
            LstmPointwise.Backward<S, TV>(w, U, Gates + (long)t * B * G + og, c + o, t > 0 ? c - (long)B * U + o : null, dh + o,
                CellGradient + o, dz + og, dbias);
        }
    }
}

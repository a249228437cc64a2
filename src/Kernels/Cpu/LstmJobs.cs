using System.Runtime.InteropServices;

namespace RecurrentAE.Kernels.Cpu;

/// <summary>
/// Shared state of the LSTM sequence jobs. Each thread takes a contiguous share of the batch (whole register panels)
/// and runs it through every step: batch rows are independent through time, so nothing syncs per step. The
/// participants first share out the packing of the recurrent kernel in chunks of strips, claimed from a counter (a
/// worker that starts late finds them done, one that never starts leaves them to the caller), and wait for it only
/// before the first step that multiplies by the kernel: the packing overlaps the first step.
/// <para>Splitting each step by hidden units instead (every thread all rows for its units' four gate blocks, one
/// barrier per step) was measured 15-35% slower on two cores: each step then reads the other core's half of h_{t-1}
/// and writes rows of h, c and the gates that share cache lines with the other core's units. Two concurrent 16-row
/// shares take 1.25x the time one 16-row share takes alone (the machine, not the split), so the batch split is near
/// what two cores give here.</para>
/// </summary>
internal abstract unsafe class LstmJob(ThreadScratch[] scratch) : SimdJob
{
    protected readonly ThreadScratch[] Scratch = scratch;
    public int Steps, Batch, Units;
    public int[]? Lengths;

    /// <summary>The recurrent kernel as given, (units, 4*units), and its packed copy (see <see cref="PackStrips"/>).</summary>
    public float* RecurrentKernel, PackedKernel;

    private Progress _progress;
    private int _packChunks;

    /// <summary>The packing's claim and completion counters, on cache lines of their own.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private struct Progress
    {
        [FieldOffset(64)] public int Next;
        [FieldOffset(128)] public int Done;
    }

    protected int Width => SimdDispatch.Shape(Level).Count;

    /// <summary>Depth and columns of the packed recurrent kernel.</summary>
    protected abstract (int Depth, int Columns) PackedShape { get; }

    private int Strips => (PackedShape.Columns + 2 * Width - 1) / (2 * Width);

    /// <summary>Floats that <see cref="PackedKernel"/> must hold for the current shape.</summary>
    public int PackedSize() => GemmDriver.PackedBSize(PackedShape.Depth, PackedShape.Columns, 2 * Width);

    /// <summary>Packs strips [s0, s1) of the recurrent kernel.</summary>
    protected abstract void PackStrips(int s0, int s1);

    /// <summary>Whether the op's first step multiplies by the recurrent kernel (not when it starts from a zero state).</summary>
    protected virtual bool FirstStepUsesKernel => false;

    /// <summary>Call after setting the fields and <see cref="ParallelJob.Chunks"/>, before running.</summary>
    public void Reset()
    {
        _progress.Next = 0;
        _progress.Done = 0;
        _packChunks = Math.Min(Strips, 4 * Chunks);
    }

    protected override void Run<S, TV>(int index, int count, int thread)
    {
        var scratch = Scratch[thread];
        int chunks = _packChunks, strips = Strips;
        for (int k; (k = Interlocked.Increment(ref _progress.Next) - 1) < chunks;)
        {
            PackStrips(strips * k / chunks, strips * (k + 1) / chunks);
            Interlocked.Increment(ref _progress.Done); // full fence: the strips are written before the count
        }
        var (b0, b1) = Rows(S.TileRows, index, count);
        if (b1 <= b0) return;
        BeginRows(b0, b1);
        for (int t = 0; t < Steps; t++)
        {
            if (t == (FirstStepUsesKernel ? 0 : 1)) WaitForPacking(chunks);
            Step<S, TV>(t, b0, b1, index, scratch);
        }
    }

    /// <summary>Share index of count of the batch rows, in whole register panels of mr rows.</summary>
    protected static (int B0, int B1) Share(int batch, int mr, int index, int count)
    {
        int panels = (batch + mr - 1) / mr;
        return (Math.Min(batch, panels * index / count * mr), Math.Min(batch, panels * (index + 1) / count * mr));
    }

    /// <summary>The rows of share index of count (by default <see cref="Share"/>'s whole register panels).</summary>
    protected virtual (int B0, int B1) Rows(int mr, int index, int count) => Share(Batch, mr, index, count);

    /// <summary>Spins (the other packers are microseconds from done), then yields the core in case the one being waited
    /// for was preempted onto this one.</summary>
    private void WaitForPacking(int chunks)
    {
        for (int spins = 0; Volatile.Read(ref _progress.Done) < chunks; spins++)
        {
            if (spins < 4096) Thread.SpinWait(1);
            else Thread.Yield();
        }
    }

    protected bool Masked(int t, int b) => Lengths != null && t >= Lengths[b];

    /// <summary>Called once per share of rows [b0, b1) before its steps.</summary>
    protected virtual void BeginRows(int b0, int b1) { }

    /// <summary>The i-th step of the op, in its own time order, for rows [b0, b1) (share: their index).</summary>
    protected abstract void Step<S, TV>(int i, int b0, int b1, int share, ThreadScratch scratch) where S : struct, ISimd<TV> where TV : struct;
}

/// <summary>Forward: for step t and a block of rows, r = h_{t-1} U (register tiles into a per-thread block of rows x 4U),
/// then z = xproj_t + b + r, the activations and the cell update per row while r is still in L1. h_{-1}, c_{-1}: the
/// initial state if given, else zeros.</summary>
internal sealed unsafe class LstmForwardJob(ThreadScratch[] scratch) : LstmJob(scratch)
{
    public float* InputProjection, Bias, Hidden, Cell, Gates;
    public int StepStride;

    /// <summary>Rows of r per block: r (rows x 4U) stays within ~32 KB, so it is still in L1 for the pointwise pass.</summary>
    private const int BlockFloats = 8192;

    protected override (int Depth, int Columns) PackedShape => (Units, 4 * Units);

    protected override void PackStrips(int s0, int s1)
    {
        int nr = 2 * Width, n = 4 * Units, j0 = s0 * nr, j1 = Math.Min(n, s1 * nr);
        GemmPacking.PackB(false, RecurrentKernel, n, 0, Units, j0, j1 - j0, nr, PackedKernel + (long)j0 * Units);
    }

    /// <summary>h_{t-1} and c_{t-1} rows of the whole batch; at t = 0 the initial state, null when none (zeros).</summary>
    private float* PreviousHidden(int t) => t > 0 ? Hidden + (long)(t - 1) * Batch * Units : InitialHidden;
    private float* PreviousCell(int t) => t > 0 ? Cell + (long)(t - 1) * Batch * Units : InitialCell;

    /// <summary>h_{-1} and c_{-1}, (batch, units), laid out like one step's rows; null: zeros.</summary>
    public float* InitialHidden, InitialCell;

    /// <summary>From an initial state step 0 runs the recurrent product too, so it waits for the packed kernel.</summary>
    protected override bool FirstStepUsesKernel => InitialHidden != null;

    protected override void Step<S, TV>(int t, int b0, int b1, int share, ThreadScratch scratch)
    {
        int B = Batch, U = Units, G = 4 * U, mr = S.TileRows;
        float* hPrev = PreviousHidden(t), cPrev = PreviousCell(t);
        float* x = InputProjection + (long)t * StepStride, z = Gates + (long)t * B * G;
        float* h = Hidden + (long)t * B * U, c = Cell + (long)t * B * U;
        int block = Math.Max(mr, BlockFloats / G / mr * mr);
        float* r = hPrev == null ? null : scratch.Recurrent.Ensure(block * G);
        for (int rb = b0; rb < b1; rb += block)
        {
            int rows = Math.Min(block, b1 - rb);
            if (hPrev != null) GemmDriver.MultiplyPackedB<S, TV>(rows, hPrev + (long)rb * U, U, U, PackedKernel, G, r, G, 0f);
            for (int b = rb; b < rb + rows; b++)
            {
                long o = (long)b * U, og = (long)b * G;
                if (Masked(t, b))
                {
                    // past the sequence's end its state carries over unchanged (Keras masking), gates are zero
                    Carry(hPrev, h, o, U);
                    Carry(cPrev, c, o, U);
                    LstmPointwise.Clear(z + og, G);
                    continue;
                }
                LstmPointwise.Forward<S, TV>(U, r == null ? null : r + (long)(b - rb) * G, x + og, Bias,
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

/// <summary>Backward in reverse time: for step t and a share of rows, dh_t += dz_{t+1} U^T, then the pointwise dz_t and
/// dc, adding dz into the bias gradient on the way. The bias sums go into one partial per chunk of <see cref="ChunkRows"/>
/// rows of a leaf of <see cref="BatchReduction"/>'s tree (the steps back to front, the chunk's rows in order), a share
/// being whole chunks so that each partial has one writer; <see cref="BiasSum"/> adds a leaf's chunks in order and the
/// leaves up the tree: the result depends neither on the threads nor, beyond the tree, on the batch. (A partial per row
/// would do too, but streams a row's partial through memory at every step.) The recurrent-kernel gradient is left to
/// one tree GEMM after the sequence.</summary>
internal sealed unsafe class LstmBackwardJob(ThreadScratch[] scratch) : LstmJob(scratch)
{
    /// <summary>Rows a bias partial sums: a register panel on AVX-512, a fixed number on every path.</summary>
    public const int ChunkRows = 8;

    public float* Cell, Gates, HiddenGradient, CellGradient, GateGradient, BiasGradient;
    private readonly AlignedBuffer _partials = new(), _tree = new();
    private int[] _rowChunk = [], _chunkStart = [];
    private int _leafRows, _chunks, _shapeBatch = -1, _shapeLeafRows = -1;

    /// <summary>Sets the tree's leaf size for the current batch and cuts the leaves into chunks; sizes the partial sums
    /// (allocating only when the shape changes or they grow).</summary>
    public void SetLeaves(int leafRows)
    {
        _leafRows = leafRows;
        if (Batch != _shapeBatch || leafRows != _shapeLeafRows)
        {
            _shapeBatch = Batch;
            _shapeLeafRows = leafRows;
            var starts = new List<int>();
            foreach (var (start, end) in BatchReduction.Leaves(Batch, leafRows))
                for (int c = start; c < end; c += ChunkRows) starts.Add(c);
            _chunks = starts.Count;
            starts.Add(Batch);
            _chunkStart = [.. starts];
            _rowChunk = new int[Batch];
            for (int k = 0; k < _chunks; k++)
                for (int b = _chunkStart[k]; b < _chunkStart[k + 1]; b++) _rowChunk[b] = k;
        }
        _partials.Ensure(_chunks * 4 * Units);
        _tree.Ensure(BatchTree.Levels(Batch, leafRows) * 4 * Units);
    }

    private float* Partial(int chunk) => _partials.Pointer + (long)chunk * 4 * Units;

    /// <summary>Share index of count: whole chunks, about as many each.</summary>
    protected override (int B0, int B1) Rows(int mr, int index, int count) =>
        (_chunkStart[_chunks * index / count], _chunkStart[_chunks * (index + 1) / count]);

    protected override void BeginRows(int b0, int b1)
    {
        int first = _rowChunk[b0], last = _rowChunk[b1 - 1];
        LstmPointwise.Clear(Partial(first), (last + 1 - first) * 4 * Units);
    }

    /// <summary>After the op: the bias gradient += the chunks' partial sums added up the tree.</summary>
    public void BiasSum()
    {
        var leaf = new ChunksLeaf(this);
        float* sum = BatchTree.Sum(ref leaf, Batch, _leafRows, _tree.Pointer, 4 * Units);
        BatchTree.Add(BiasGradient, sum, BiasGradient, 4 * Units);
    }

    /// <summary>A leaf: its chunks' partials added in order.</summary>
    private readonly struct ChunksLeaf(LstmBackwardJob job) : IBatchLeaf
    {
        public float* Leaf(int index, int start, int end, float* scratch)
        {
            long n = 4 * job.Units;
            int first = job._rowChunk[start], last = job._rowChunk[end - 1];
            if (first == last) return job.Partial(first);
            BatchTree.Add(job.Partial(first), job.Partial(first + 1), scratch, n);
            for (int k = first + 2; k <= last; k++) BatchTree.Add(scratch, job.Partial(k), scratch, n);
            return scratch;
        }
    }

    protected override (int Depth, int Columns) PackedShape => (4 * Units, Units);

    protected override void PackStrips(int s0, int s1)
    {
        int nr = 2 * Width, k = 4 * Units, j0 = s0 * nr, j1 = Math.Min(Units, s1 * nr);
        // U^T's columns [j0, j1): its strips are k x nr each, a last narrow one after them
        GemmPacking.PackB(true, RecurrentKernel, k, 0, k, j0, j1 - j0, nr, PackedKernel + (long)j0 * k);
    }

    protected override void Step<S, TV>(int i, int b0, int b1, int share, ThreadScratch scratch)
    {
        int B = Batch, U = Units, G = 4 * U, t = Steps - 1 - i;
        float* dh = HiddenGradient + (long)t * B * U, dz = GateGradient + (long)t * B * G;
        if (t < Steps - 1)
            GemmDriver.MultiplyPackedB<S, TV>(b1 - b0, dz + (long)(B + b0) * G, G, G, PackedKernel, U, dh + (long)b0 * U, U, 1f);
        else
            LstmPointwise.Clear(CellGradient + (long)b0 * U, (b1 - b0) * U);
        float* c = Cell + (long)t * B * U;
        for (int b = b0; b < b1; b++)
        {
            long o = (long)b * U, og = (long)b * G;
            if (Masked(t, b))
            {
                // the state was copied forward: its gradient flows straight back to step t-1
                LstmPointwise.Clear(dz + og, G);
                if (t > 0) LstmPointwise.AddTo<S, TV>(U, dh + o, dh - (long)B * U + o);
                continue;
            }
            LstmPointwise.Backward<S, TV>(U, Gates + (long)t * B * G + og, c + o, t > 0 ? c - (long)B * U + o : null, dh + o,
                CellGradient + o, dz + og, Partial(_rowChunk[b]));
        }
    }
}

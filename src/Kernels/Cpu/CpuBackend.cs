namespace RecurrentAE.Kernels.Cpu;

/// <summary>
/// The CPU backend: SIMD C# kernels (Vector512 / Vector256 FMA register tiles, a scalar path for older machines)
/// over pinned managed arrays, split over a persistent worker pool where the work pays for the hand-off.
/// Semantics are those of the original scalar backend (kept as the double-precision reference in the tests).
/// Not thread-safe: calls are issued from one thread, in order, as the contract says.
/// </summary>
internal sealed unsafe class CpuBackend : IComputeBackend
{
    private readonly WorkerPool _pool;
    private readonly ThreadScratch[] _scratch;
    private readonly AlignedBuffer _packedKernel = new();
    private readonly GemmJob _gemm;
    private readonly GemmTreeJob _gemmTree;
    private readonly AlignedBuffer _biasTree = new();
    private readonly LstmForwardJob _forward;
    private readonly LstmBackwardJob _backward;
    private readonly RangeJob<AdamOp> _adam = new();
    private readonly RangeJob<ColumnSumOp> _columnSum = new();
    private readonly RangeJob<FillOp> _fill = new();
    private readonly RangeJob<BceOp> _bce = new();

    public CpuBackend(int threads = 0) : this(threads, CpuFeatures.Best) { }

    /// <summary>Tests pick the SIMD path explicitly, to cover every path on one machine.</summary>
    internal CpuBackend(int threads, SimdLevel level)
    {
        Threads = threads > 0 ? threads : Environment.ProcessorCount;
        Level = level;
        _pool = new WorkerPool(Threads);
        _scratch = new ThreadScratch[Threads];
        for (int i = 0; i < Threads; i++) _scratch[i] = new ThreadScratch();
        _gemm = new GemmJob(_scratch);
        _gemmTree = new GemmTreeJob(_scratch);
        _forward = new LstmForwardJob(_scratch);
        _backward = new LstmBackwardJob(_scratch);
    }

    public int Threads { get; }
    internal SimdLevel Level { get; }

    /// <summary>Work (in flops, or elements for pointwise ops) below which an op runs on the calling thread alone:
    /// a hand-off to a spinning worker costs ~1-3 µs, about 0.2 MFLOP of one core's GEMM. Tests set 0 to force splits.</summary>
    internal long MinParallelWork { get; set; } = 1_000_000;

    public string Name => "cpu";
    public string Description => $"CPU backend, {Threads} thread(s), {Level}";

    public DeviceArray Allocate(int length) => new CpuArray(length);
    public DeviceArray Adopt(float[] values) => new CpuArray(values);
    public DeviceIndexArray AllocateIndices(int length) => new CpuIndexArray(length);
    public void Upload(ReadOnlySpan<float> source, Slice destination) => source.CopyTo(destination.Span());
    public void UploadIndices(ReadOnlySpan<int> source, DeviceIndexArray destination, int offset = 0) => source.CopyTo(destination.Data().AsSpan(offset));
    public void Download(Slice source, Span<float> destination) => source.Span().CopyTo(destination);
    public void Fill(Slice destination, float value)
    {
        int n = destination.Length;
        if (!Parallel(16L * n))
        {
            destination.Span().Fill(value);
            return;
        }
        var job = _fill;
        job.Length = n;
        job.Op = new FillOp { Destination = destination.Ptr(), Value = value };
        Run(job, parallel: true);
        GC.KeepAlive(destination.Array);
    }
    public void Copy(Slice source, Slice destination) => source.Span().CopyTo(destination.Span());
    public void Synchronize() { }
    public void Dispose() => _pool.Dispose();

    private bool Parallel(long work) => _pool.Count > 1 && work >= MinParallelWork;

    /// <summary>Runs a job split over the pool, or whole on the calling thread.</summary>
    private void Run(ParallelJob job, bool parallel)
    {
        job.Chunks = parallel ? _pool.Count : 1;
        if (job.Chunks > 1) _pool.Run(job);
        else job.Execute(0, 1, 0);
    }

    /// <summary>Kernels use raw pointers, so every extent is checked up front (the scalar version got this from spans).</summary>
    private static void Need(Slice s, long rows, long ld, long cols, string name)
    {
        if (rows <= 0 || cols <= 0) return;
        long need = (rows - 1) * ld + cols;
        if (need > s.Length) throw new ArgumentException($"{name} needs {need} floats but its slice has {s.Length}", name);
    }

    public void Gemm(Transpose transA, Transpose transB, int m, int n, int k,
        float alpha, Slice a, int lda, Slice b, int ldb, float beta, Slice c, int ldc)
    {
        bool ta = transA == Transpose.Yes, tb = transB == Transpose.Yes;
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), "GEMM sizes must not be negative");
        if (m == 0 || n == 0) return;
        Need(a, ta ? k : m, lda, ta ? m : k, nameof(a));
        Need(b, tb ? n : k, ldb, tb ? k : n, nameof(b));
        Need(c, m, ldc, n, nameof(c));
        GemmCore(ta, tb, m, n, k, alpha, a.Ptr(), lda, b.Ptr(), ldb, beta, c.Ptr(), ldc);
        KeepAlive(a, b, c);
    }

    /// <summary>Kernels hold raw pointers, which do not keep the arrays alive: without this the JIT may treat a caller's
    /// last use of an array as done once its pointer is taken, and a GC mid-kernel frees (and reuses) pinned memory
    /// still being read. Call after the work, with every slice the op touched.</summary>
    private static void KeepAlive(in Slice a, in Slice b, in Slice c = default, in Slice d = default)
    {
        GC.KeepAlive(a.Array); GC.KeepAlive(b.Array); GC.KeepAlive(c.Array); GC.KeepAlive(d.Array);
    }

    private void GemmCore(bool ta, bool tb, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        var job = _gemm;
        job.Level = Level;
        job.TransA = ta; job.TransB = tb;
        job.M = m; job.N = n; job.K = k;
        job.Alpha = alpha; job.Beta = beta;
        job.A = a; job.Lda = lda; job.B = b; job.Ldb = ldb; job.C = c; job.Ldc = ldc;
        job.SplitRows = m >= n;
        Run(job, Parallel(2L * m * n * k));
    }

    public void DenseGradient(in DenseGradientArgs a)
    {
        int T = a.Steps, B = a.Batch, M = a.Inputs, N = a.Outputs;
        if (T < 0 || B < 0 || M < 0 || N < 0) throw new ArgumentOutOfRangeException(nameof(a), "DenseGradient sizes must not be negative");
        if (T == 0 || B == 0 || M == 0 || N == 0) return;
        Need(a.Input, (long)T * B, M, M, nameof(a.Input));
        Need(a.OutputGradient, (long)T * B, N, N, nameof(a.OutputGradient));
        Need(a.KernelGradient, M, N, N, nameof(a.KernelGradient));
        int leafRows = BatchTree.LeafRows(a.LeafRows, B);
        GemmTree(M, N, T, B, leafRows, a.Input.Ptr(), M, a.OutputGradient.Ptr(), N, a.KernelGradient.Ptr(), N);
        if (!a.BiasGradient.IsEmpty)
        {
            Need(a.BiasGradient, 1, 0, N, nameof(a.BiasGradient));
            var op = new BiasTreeOp { X = a.OutputGradient.Ptr(), Steps = T, Batch = B, Cols = N, LeafRows = leafRows,
                Buffers = _biasTree.Ensure(BatchTree.Levels(B, leafRows) * N), Sums = a.BiasGradient.Ptr() };
            SimdDispatch.Run(Level, ref op);
        }
        KeepAlive(a.Input, a.OutputGradient, a.KernelGradient, a.BiasGradient);
    }

    /// <summary>C (m x n, ldc) += A^T B over a time-major batch of steps x batch rows, in <see cref="BatchReduction"/>'s tree.</summary>
    private void GemmTree(int m, int n, int steps, int batch, int leafRows, float* a, int lda, float* b, int ldb, float* c, int ldc)
    {
        var job = _gemmTree;
        job.Level = Level;
        job.M = m; job.N = n; job.Steps = steps; job.Batch = batch; job.LeafRows = leafRows;
        job.A = a; job.Lda = lda; job.B = b; job.Ldb = ldb; job.C = c; job.Ldc = ldc;
        Run(job, Parallel(2L * m * n * steps * batch));
    }

    /// <summary>The bias gradient's column sums in the tree, on the calling thread (a few thousand values a step).</summary>
    private struct BiasTreeOp : ISimdOp
    {
        public float* X, Buffers, Sums;
        public int Steps, Batch, Cols, LeafRows;

        public readonly void Run<S, TV>() where S : struct, ISimd<TV> where TV : struct
        {
            var leaf = new ColumnSumLeaf<S, TV> { X = X, Steps = Steps, Batch = Batch, Cols = Cols };
            float* sum = BatchTree.Sum(ref leaf, Batch, LeafRows, Buffers, Cols);
            BatchTree.Add(Sums, sum, Sums, Cols);
        }
    }

    public void ColumnSum(Slice x, int rows, int cols, Slice sums, bool accumulate)
    {
        Need(x, rows, cols, cols, nameof(x));
        Need(sums, 1, 0, cols, nameof(sums));
        if (cols <= 0) return;
        ColumnSumCore(x.Ptr(), Math.Max(rows, 0), cols, sums.Ptr(), accumulate);
        KeepAlive(x, sums);
    }

    private void ColumnSumCore(float* x, int rows, int cols, float* sums, bool accumulate)
    {
        var job = _columnSum;
        job.Level = Level; job.Length = cols;
        job.Op = new ColumnSumOp { X = x, Rows = rows, Cols = cols, Sums = sums, Accumulate = accumulate };
        Run(job, Parallel((long)rows * cols) && cols >= 64);
    }

    public void ScaleRows(Slice x, int rows, int cols, Slice scales, Slice y)
    {
        if (rows < 0 || cols < 0) throw new ArgumentOutOfRangeException(nameof(rows), "ScaleRows sizes must not be negative");
        Need(x, rows, cols, cols, nameof(x));
        Need(y, rows, cols, cols, nameof(y));
        Need(scales, 1, 0, rows, nameof(scales));
        if (rows == 0 || cols == 0) return;
        var X = x.Span();
        var Y = y.Span();
        var S = scales.Span();
        for (int r = 0; r < rows; r++)
            ScaleRow(X.Slice(r * cols, cols), S[r], Y.Slice(r * cols, cols));
    }

    /// <summary>y = s x over one row, Vector&lt;float&gt; wide with a scalar tail (y may be x).</summary>
    private static void ScaleRow(ReadOnlySpan<float> x, float s, Span<float> y)
    {
        int i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            var vs = new System.Numerics.Vector<float>(s);
            for (int n = System.Numerics.Vector<float>.Count; i + n <= x.Length; i += n)
                (new System.Numerics.Vector<float>(x.Slice(i)) * vs).CopyTo(y.Slice(i));
        }
        for (; i < x.Length; i++) y[i] = x[i] * s;
    }

    public void GatherSequences(Slice data, GatherLayout layout, DeviceIndexArray indices, int start, int batch, Slice x)
    {
        var D = data.Span();
        var X = x.Span();
        var I = indices.Data();
        int steps = layout.Steps, features = layout.Features;
        for (int b = 0; b < batch; b++)
        {
            int src = checked((int)layout.Offset(I[start + b], 0));
            for (int t = 0; t < steps; t++)
                D.Slice(src + t * layout.StepStride, features).CopyTo(X.Slice((t * batch + b) * features, features));
        }
    }

    public void LstmForward(in LstmForwardArgs a)
    {
        int T = a.Steps, B = a.Batch, U = a.Units, G = 4 * U;
        if (T <= 0 || B <= 0 || U <= 0) return;
        if (a.InputProjectionStepStride < 0) throw new ArgumentOutOfRangeException(nameof(a), "negative input projection stride");
        Need(a.InputProjection, T, a.InputProjectionStepStride, (long)B * G, nameof(a.InputProjection));
        Need(a.RecurrentKernel, U, G, G, nameof(a.RecurrentKernel));
        Need(a.Bias, 1, 0, G, nameof(a.Bias));
        Need(a.Hidden, T, (long)B * U, (long)B * U, nameof(a.Hidden));
        Need(a.Cell, T, (long)B * U, (long)B * U, nameof(a.Cell));
        Need(a.Gates, T, (long)B * G, (long)B * G, nameof(a.Gates));
        if (!a.InitialHidden.IsEmpty) Need(a.InitialHidden, 1, 0, (long)B * U, nameof(a.InitialHidden));
        if (!a.InitialCell.IsEmpty) Need(a.InitialCell, 1, 0, (long)B * U, nameof(a.InitialCell));
        var job = _forward;
        job.Level = Level; job.Steps = T; job.Batch = B; job.Units = U; job.Lengths = Lengths(a.Lengths, B);
        job.RecurrentKernel = a.RecurrentKernel.Ptr();
        job.InputProjection = a.InputProjection.Ptr(); job.StepStride = a.InputProjectionStepStride;
        job.Bias = a.Bias.Ptr(); job.Hidden = a.Hidden.Ptr(); job.Cell = a.Cell.Ptr(); job.Gates = a.Gates.Ptr();
        job.InitialHidden = a.InitialHidden.IsEmpty ? null : a.InitialHidden.Ptr();
        job.InitialCell = a.InitialCell.IsEmpty ? null : a.InitialCell.Ptr();
        RunLstm(job, B, U);
        KeepAlive(a.InputProjection, a.RecurrentKernel, a.Bias);
        KeepAlive(a.Hidden, a.Cell, a.Gates);
        KeepAlive(a.InitialHidden, a.InitialCell);
    }

    public void LstmBackward(in LstmBackwardArgs a)
    {
        int T = a.Steps, B = a.Batch, U = a.Units, G = 4 * U;
        if (T <= 0 || B <= 0 || U <= 0) return;
        Need(a.RecurrentKernel, U, G, G, nameof(a.RecurrentKernel));
        Need(a.Hidden, T, (long)B * U, (long)B * U, nameof(a.Hidden));
        Need(a.Cell, T, (long)B * U, (long)B * U, nameof(a.Cell));
        Need(a.Gates, T, (long)B * G, (long)B * G, nameof(a.Gates));
        Need(a.HiddenGradient, T, (long)B * U, (long)B * U, nameof(a.HiddenGradient));
        Need(a.CellGradientScratch, 1, 0, (long)B * U, nameof(a.CellGradientScratch));
        Need(a.GateGradient, T, (long)B * G, (long)B * G, nameof(a.GateGradient));
        Need(a.RecurrentKernelGradient, U, G, G, nameof(a.RecurrentKernelGradient));
        Need(a.BiasGradient, 1, 0, G, nameof(a.BiasGradient));
        var job = _backward;
        job.Level = Level; job.Steps = T; job.Batch = B; job.Units = U; job.Lengths = Lengths(a.Lengths, B);
        job.RecurrentKernel = a.RecurrentKernel.Ptr();
        job.Cell = a.Cell.Ptr(); job.Gates = a.Gates.Ptr(); job.HiddenGradient = a.HiddenGradient.Ptr();
        job.CellGradient = a.CellGradientScratch.Ptr(); job.GateGradient = a.GateGradient.Ptr(); job.BiasGradient = a.BiasGradient.Ptr();
        int leafRows = BatchTree.LeafRows(a.LeafRows, B);
        job.SetLeaves(leafRows);
        RunLstm(job, B, U);
        job.BiasSum(); // the bias gradient: dz summed over steps and rows, on the way, per leaf of the batch
        // dRk += sum_t h_{t-1}^T dz_t as one tree GEMM over all steps: H[0..T-2]^T (U x (T-1)B) . dZ[1..T-1] ((T-1)B x 4U).
        // Masked steps have dz = 0, so they add nothing, as in the per-step reference.
        if (T > 1)
            GemmTree(U, G, T - 1, B, leafRows, a.Hidden.Ptr(), U, a.GateGradient.Ptr() + (long)B * G, G, a.RecurrentKernelGradient.Ptr(), G);
        KeepAlive(a.RecurrentKernel, a.Hidden, a.Cell, a.Gates);
        KeepAlive(a.HiddenGradient, a.CellGradientScratch, a.GateGradient, a.RecurrentKernelGradient);
        GC.KeepAlive(a.BiasGradient.Array);
    }

    /// <summary>Runs an LSTM sequence op, its batch split over the pool when there are more rows than one register panel
    /// and the op's work pays for the hand-off (see <see cref="LstmJob"/>).</summary>
    private void RunLstm(LstmJob job, int B, int U)
    {
        job.Chunks = Parallel(2L * B * U * 4 * U * job.Steps) && B > SimdDispatch.Shape(Level).TileRows ? _pool.Count : 1;
        job.PackedKernel = _packedKernel.Ensure(job.PackedSize());
        job.Reset();
        if (job.Chunks > 1) _pool.Run(job);
        else job.Execute(0, 1, 0);
        job.Lengths = null;
    }

    private static int[]? Lengths(DeviceIndexArray? lengths, int batch)
    {
        if (lengths == null) return null;
        if (lengths.Length < batch) throw new ArgumentException($"Lengths has {lengths.Length} entries for a batch of {batch}", nameof(lengths));
        return lengths.Data();
    }

    public void HeadForward(OutputHead head, Slice logits, Slice bias, int rows, int cols, Slice output)
    {
        if (head == OutputHead.Sigmoid) BiasSigmoidForward(logits, bias, rows, cols, output);
        else CpuHeads.Forward(head, logits.Span(), bias.Span(), rows, cols, output.Span());
    }

    public void HeadLossAndGradient(in HeadLossArgs a)
    {
        int rows = a.Steps * a.Batch;
        if (a.Head == OutputHead.Sigmoid && a.Lengths is null)
        {
            // The reference model's hot path: vectorised BCE over the whole block.
            BceLossAndGradient(a.Output, a.Targets, rows * a.Cols, a.Scale, a.Loss, a.AccumulateLoss, a.LogitGradient);
            return;
        }
        var gradient = a.LogitGradient.IsEmpty ? Span<float>.Empty : a.LogitGradient.Span();
        double sum = CpuHeads.LossRows(a, a.Output.Span(), a.Targets.Span(), a.Lengths?.Data(), gradient, 0, rows);
        var loss = a.Loss.Span();
        loss[0] = (float)((a.AccumulateLoss ? loss[0] : 0) + a.Scale * sum);
    }

    internal void BiasSigmoidForward(Slice logits, Slice bias, int rows, int cols, Slice probabilities)
    {
        if (rows <= 0 || cols <= 0) return;
        Need(logits, rows, cols, cols, nameof(logits));
        Need(bias, 1, 0, cols, nameof(bias));
        Need(probabilities, rows, cols, cols, nameof(probabilities));
        var op = new BiasSigmoidOp { Logits = logits.Ptr(), Bias = bias.Ptr(), Probabilities = probabilities.Ptr(), Rows = rows, Cols = cols };
        SimdDispatch.Run(Level, ref op);
        KeepAlive(logits, bias, probabilities);
    }

    internal void BceLossAndGradient(Slice probabilities, Slice targets, int count, float scale,
        Slice loss, bool accumulateLoss, Slice logitGradient)
    {
        Need(probabilities, 1, 0, count, nameof(probabilities));
        Need(targets, 1, 0, count, nameof(targets));
        Need(loss, 1, 0, 1, nameof(loss));
        if (!logitGradient.IsEmpty) Need(logitGradient, 1, 0, count, nameof(logitGradient));
        float* p = probabilities.Ptr(), y = targets.Ptr(), g = logitGradient.IsEmpty ? null : logitGradient.Ptr();
        int n = Math.Max(count, 0);
        var job = _bce;
        job.Level = Level; job.Length = n;
        int blocks = (n + BceOp.Block - 1) / BceOp.Block;
        if (job.Op.Partial is not { } partial || partial.Length < blocks) partial = new double[Math.Max(blocks, 1)];
        job.Op = job.Op with { Probabilities = p, Targets = y, Gradient = g, Scale = scale, Partial = partial };
        Run(job, Parallel(64L * n));
        double sum = 0;
        for (int c = 0; c < blocks; c++) sum += partial[c]; // block by block, in order: any thread count gives the same sum
        KeepAlive(probabilities, targets, logitGradient);
        var l = loss.Span();
        l[0] = (float)((accumulateLoss ? l[0] : 0) + scale * sum);
    }

    public void SumOfSquares(Slice x, Slice sumOfSquares)
    {
        Need(sumOfSquares, 1, 0, 1, nameof(sumOfSquares));
        var op = new SumOfSquaresOp { Length = x.Length };
        if (x.Length > 0)
        {
            op.X = x.Ptr();
            SimdDispatch.Run(Level, ref op);
        }
        double sum = op.Sum;
        sumOfSquares.Span()[0] = (float)sum;
        KeepAlive(x, sumOfSquares);
    }

    public void ClipByGlobalNorm(Slice x, Slice sumOfSquares, float maxNorm)
    {
        Need(sumOfSquares, 1, 0, 1, nameof(sumOfSquares));
        if (!(maxNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), $"the clipping norm must be positive, not {maxNorm}");
        float factor = GlobalNorm.Factor(sumOfSquares.Span()[0], maxNorm);
        if (factor == 1f || x.Length == 0) return;
        var op = new ScaleOp { X = x.Ptr(), Length = x.Length, Factor = factor };
        SimdDispatch.Run(Level, ref op);
        KeepAlive(x, sumOfSquares);
    }

    public void Adam(Slice parameters, Slice gradients, Slice firstMoment, Slice secondMoment, AdamStep step)
    {
        int n = parameters.Length;
        Need(gradients, 1, 0, n, nameof(gradients));
        Need(firstMoment, 1, 0, n, nameof(firstMoment));
        Need(secondMoment, 1, 0, n, nameof(secondMoment));
        if (n == 0) return;
        var job = _adam;
        job.Level = Level; job.Length = n;
        job.Op = new AdamOp
        {
            Weights = parameters.Ptr(), Gradients = gradients.Ptr(), FirstMoment = firstMoment.Ptr(), SecondMoment = secondMoment.Ptr(),
            Settings = step.Settings, StepSize = step.StepSize,
        };
        Run(job, Parallel(16L * n));
        KeepAlive(parameters, gradients, firstMoment, secondMoment);
    }

    // ---- Denoising, sparse and variational autoencoders (issue 15): InputCorruption.cs, Variational.cs, Sparsity.cs.

    public void CorruptInputs(Slice x, int count, float noiseStd, float dropout, CounterKey noiseKey, CounterKey dropoutKey, Slice y)
    {
        if (count <= 0) return;
        Need(x, 1, 0, count, nameof(x));
        Need(y, 1, 0, count, nameof(y));
        InputCorruption.Forward(x.Span()[..count], noiseStd, dropout, noiseKey, dropoutKey, y.Span()[..count]);
    }

    public void Reparameterize(Slice mean, Slice logVar, int count, CounterKey key, Slice coding)
    {
        if (count <= 0) return;
        NeedAll(count, mean, logVar, coding);
        Variational.ReparameterizeForward(mean.Span()[..count], logVar.Span()[..count], key, coding.Span()[..count]);
    }

    public void ReparameterizeBackward(Slice logVar, Slice codingGradient, int count, CounterKey key, Slice meanGradient, Slice logVarGradient)
    {
        if (count <= 0) return;
        NeedAll(count, logVar, codingGradient, meanGradient, logVarGradient);
        Variational.ReparameterizeBackward(logVar.Span()[..count], codingGradient.Span()[..count], key, meanGradient.Span()[..count], logVarGradient.Span()[..count]);
    }

    public void KlDivergence(Slice mean, Slice logVar, int count, float scale, Slice loss, bool accumulate)
    {
        Need(loss, 1, 0, 1, nameof(loss));
        double sum = count <= 0 ? 0 : KlSum(mean, logVar, count);
        var l = loss.Span();
        l[0] = (float)((accumulate ? l[0] : 0) + scale * sum);
    }

    private static double KlSum(Slice mean, Slice logVar, int count)
    {
        NeedAll(count, mean, logVar);
        return Variational.KlForward(mean.Span()[..count], logVar.Span()[..count]);
    }

    public void KlDivergenceBackward(Slice mean, Slice logVar, int count, float scale, Slice meanGradient, Slice logVarGradient)
    {
        if (count <= 0) return;
        NeedAll(count, mean, logVar, meanGradient, logVarGradient);
        Variational.KlBackward(mean.Span()[..count], logVar.Span()[..count], scale, meanGradient.Span()[..count], logVarGradient.Span()[..count]);
    }

    public void SparsityPenalty(Slice coding, int rows, int cols, SparsityPenalty penalty, Slice loss, bool accumulate)
    {
        Need(loss, 1, 0, 1, nameof(loss));
        double sum = 0;
        if (rows > 0 && cols > 0)
        {
            Need(coding, rows, cols, cols, nameof(coding));
            sum = Sparsity.Forward(coding.Span(), rows, cols, penalty);
        }
        var l = loss.Span();
        l[0] = (float)((accumulate ? l[0] : 0) + sum);
    }

    public void SparsityBackward(Slice coding, Slice codingGradient, int rows, int cols, SparsityPenalty penalty, Slice logitGradient)
    {
        if (rows <= 0 || cols <= 0) return;
        NeedAll(rows * cols, coding, codingGradient, logitGradient);
        Sparsity.Backward(coding.Span(), codingGradient.Span(), rows, cols, penalty, logitGradient.Span());
    }

    private static void NeedAll(int count, params ReadOnlySpan<Slice> slices)
    {
        foreach (var s in slices) Need(s, 1, 0, count, "slice");
    }
}

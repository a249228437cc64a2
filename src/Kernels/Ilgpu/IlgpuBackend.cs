using System.Reflection;
using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.OpenCL;

namespace RecurrentAE.Kernels.Ilgpu;

/// <summary>
/// The contract on any ILGPU accelerator (CUDA, OpenCL, ILGPU's CPU accelerator). Every kernel is loaded once in the
/// constructor; ops only launch them on the default stream, in issue order.
/// LSTM layers run the persistent kernels on GPUs (one launch per layer and direction for all steps, see
/// <see cref="LstmPersistentKernels"/>) and the per-step kernels on ILGPU's CPU accelerator, or wherever a layer's state
/// does not fit a group's shared memory; an OpenCL device without sub-groups runs the backward per step
/// (<see cref="SupportsPersistentBackward"/>). Every launch site counts in <see cref="LaunchCount"/>.
/// </summary>
internal sealed unsafe class IlgpuBackend : IComputeBackend
{
    /// <summary>Every kernel method and whether it is explicitly grouped (see <see cref="KernelLauncher.Declared"/>).</summary>
    internal static IReadOnlyList<(MethodInfo Method, bool ExplicitlyGrouped)> KernelMethods => KernelLauncher.Declared;

    /// <summary>
    /// Whether the persistent LSTM backward kernel can exist on a device: it reduces each dot product across a warp
    /// (<c>get_sub_group_local_id</c> and <c>sub_group_reduce_add</c> in its OpenCL C), which an OpenCL device has only
    /// with sub-groups (cl_khr_subgroups or cl_intel_subgroups, as ILGPU reports them in
    /// <see cref="CLCapabilityContext.SubGroups"/>). CUDA and ILGPU's CPU accelerator always have warps. Without it the
    /// backward runs the per-step kernel (the forward stays persistent: it needs only group barriers).
    /// </summary>
    internal static bool SupportsPersistentBackward(AcceleratorType type, CapabilityContext capabilities) =>
        type != AcceleratorType.OpenCL || capabilities is CLCapabilityContext { SubGroups: true };

    /// <summary>The kernels this backend loads on a device of <paramref name="type"/> with <paramref name="capabilities"/>
    /// (every kernel, less the persistent backward where <see cref="SupportsPersistentBackward"/> says it cannot exist).</summary>
    internal static IEnumerable<(MethodInfo Method, bool ExplicitlyGrouped)> KernelMethodsFor(AcceleratorType type, CapabilityContext capabilities) =>
        KernelMethods.Where(k => SupportsPersistentBackward(type, capabilities)
                                 || k.Method.Name != nameof(LstmPersistentKernels.LstmPersistent_backward));

    private readonly Context _context;
    private readonly bool _ownsContext;
    private readonly Accelerator _accelerator;
    private readonly int _tile;
    private readonly int _reduceGroup;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _noLengths;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _noState;

    private readonly KernelLauncher _kernels;
    private bool _persistentBackwardAvailable;

    /// <summary>Runs on <paramref name="device"/> of <paramref name="context"/>; disposes the context too when <paramref name="ownsContext"/>.</summary>
    public IlgpuBackend(Context context, Device device, string name, bool ownsContext = true)
    {
        _context = context;
        _ownsContext = ownsContext;
        Name = name;
        _accelerator = device.CreateAccelerator(context);
        try
        {
            int maxGroup = _accelerator.MaxNumThreadsPerGroup;
            _tile = GemmKernels.MaxTile;
            while (_tile > 1 && _tile * _tile > maxGroup) _tile /= 2;
            _reduceGroup = HeadKernels.MaxReduceGroup;
            while (_reduceGroup > 1 && _reduceGroup > maxGroup) _reduceGroup /= 2;
            _noLengths = _accelerator.Allocate1D<int>(1);
            _noLengths.MemSetToZero();
            _noState = _accelerator.Allocate1D<float>(1);
            _noState.MemSetToZero();

            var a = _accelerator;
            // the persistent backward is not loaded where it cannot compile (an OpenCL device without sub-groups): the
            // backward runs per step there
            _kernels = new KernelLauncher(a, KernelMethodsFor(a.AcceleratorType, a.Capabilities));
            _persistentBackwardAvailable = _kernels.IsLoaded(LstmPersistentKernels.LstmPersistent_backward);
            // GPUs get the persistent LSTM kernels; ILGPU's CPU accelerator keeps the per-step ones by default
            // (a Group.Barrier costs ~86 µs there, and tests force the persistent path explicitly).
            // RAE_ILGPU_LSTM=per-step|persistent overrides it, so `rae bench` can compare both paths on one GPU.
            LstmPath = Environment.GetEnvironmentVariable("RAE_ILGPU_LSTM")?.Trim().ToLowerInvariant() switch
            {
                "per-step" => IlgpuLstmPath.PerStep,
                "persistent" => IlgpuLstmPath.Persistent,
                _ => _accelerator.AcceleratorType == AcceleratorType.CPU ? IlgpuLstmPath.PerStep : IlgpuLstmPath.Persistent,
            };
        }
        catch
        {
            _accelerator.Dispose();
            throw;
        }
    }

    public string Name { get; }

    /// <summary>Which LSTM kernels run: persistent (one launch per layer and direction) or per step. Settable for tests
    /// and benchmarks; the persistent path still falls back to per step for a layer whose state does not fit a group.</summary>
    internal IlgpuLstmPath LstmPath { get; set; }

    /// <summary>Whether the LSTM backward may run the persistent kernel on this device (<see cref="SupportsPersistentBackward"/>).
    /// Tests switch it off to check the path an OpenCL device without sub-groups runs (persistent forward, per-step
    /// backward); it cannot be switched on where the kernel was not loaded.</summary>
    internal bool PersistentBackwardAvailable
    {
        get => _persistentBackwardAvailable;
        set => _persistentBackwardAvailable = value && _kernels.IsLoaded(LstmPersistentKernels.LstmPersistent_backward);
    }

    /// <summary>Batch rows per group of the persistent kernels; 0 chooses (see <see cref="PersistentLayout"/>).</summary>
    internal int PersistentRowsPerGroup { get; set; }

    /// <summary>Kernel launches issued so far (every launch site counts one).</summary>
    internal long LaunchCount { get; private set; }

    /// <summary>Dynamic shared memory one group may request without an opt-in (48 KiB on CUDA).</summary>
    private long SharedBudgetBytes => PersistentSharedBudgetBytes > 0
        ? PersistentSharedBudgetBytes
        : Math.Min(48L * 1024, _accelerator.MaxSharedMemoryPerGroup);

    /// <summary>Overrides the shared memory a persistent group may use (0: the accelerator's 48 KiB); tests shrink it
    /// to check the fallback to per-step kernels and the row-count reduction.</summary>
    internal long PersistentSharedBudgetBytes { get; set; }

    /// <summary>Whether an LSTM layer of this shape runs the persistent kernels (otherwise the per-step ones).</summary>
    internal bool UsesPersistentLstm(int batch, int units) =>
        LstmPath == IlgpuLstmPath.Persistent && PersistentLayout(batch, units) is not null;

    /// <summary>Whether the backward of an LSTM layer of this shape runs the persistent kernel (otherwise the per-step one).</summary>
    internal bool UsesPersistentLstmBackward(int batch, int units) =>
        _persistentBackwardAvailable && UsesPersistentLstm(batch, units);

    /// <summary>
    /// The persistent kernels' launch shape for a layer, or null when its state does not fit one group's shared memory.
    /// Rows per group: ceil(B / multiprocessors), so B/rows groups spread over the SMs (B = 32 on an H100's 132 SMs:
    /// 32 groups of 1 row; larger batches put a few rows in each group rather than queueing groups behind each other,
    /// since a group lives for the whole sequence). Threads per group: one per work item of a step, rounded up to the
    /// warp, capped at 512 and at the accelerator's limit: R x 4U (forward: one thread per gate column; backward: the same
    /// number of threads, so R x U warp dot products spread over many warps — 13 warps for 100 items at U = 100).
    /// The recurrence of one row cannot be split over groups without a grid-wide barrier, so at B = 32 only 32 of an
    /// H100's 132 SMs work: the step's latency, not the throughput, is what this kernel minimises.
    /// The shared-memory budget (48 KiB, no opt-in) caps R x U at 2457 for both kernels; beyond it (U > 2457) the
    /// per-step kernels run instead.
    /// </summary>
    private (int Rows, int ForwardGroup, int BackwardGroup)? PersistentLayout(int batch, int units)
    {
        int rows = PersistentRowsPerGroup > 0
            ? PersistentRowsPerGroup
            : Math.Max(1, (batch + Math.Max(1, _accelerator.NumMultiprocessors) - 1) / Math.Max(1, _accelerator.NumMultiprocessors));
        rows = Math.Min(rows, batch);
        long budget = SharedBudgetBytes / sizeof(float);
        while (rows > 1 && LstmPersistentKernels.SharedFloats(rows, units) > budget)
            rows--;
        if (LstmPersistentKernels.SharedFloats(rows, units) > budget)
            return null;
        return (rows, GroupSize(rows * 4 * units), GroupSize(rows * 4 * units));
    }

    internal int WarpSize => _accelerator.WarpSize;

    /// <summary>The persistent kernels' launch shape for a layer, in words (for tests, benchmarks and reports).</summary>
    internal string DescribePersistentLayout(int batch, int units) => PersistentLayout(batch, units) is { } l
        ? $"{(batch + l.Rows - 1) / l.Rows} group(s) of {l.Rows} row(s); {l.ForwardGroup} threads forward, {l.BackwardGroup} backward; " +
          $"{LstmPersistentKernels.SharedFloats(l.Rows, units) * sizeof(float)} B shared forward, the same backward"
        : "does not fit: per-step kernels";

    private int GroupSize(int items)
    {
        int warp = Math.Max(1, _accelerator.WarpSize);
        int size = (items + warp - 1) / warp * warp;
        size = Math.Min(size, Math.Min(512, _accelerator.MaxNumThreadsPerGroup));
        // whole warps: the backward kernel reduces with warp shuffles
        return Math.Max(warp, size / warp * warp);
    }

    public string Description =>
        $"{_accelerator.Name} ({_accelerator.AcceleratorType}, {_accelerator.MemorySize / (1024.0 * 1024 * 1024):0.#} GiB, " +
        $"{_accelerator.NumMultiprocessors} multiprocessor(s), up to {_accelerator.MaxNumThreadsPerGroup} threads a group, GEMM tile {_tile}, " +
        $"LSTM {(LstmPath != IlgpuLstmPath.Persistent ? "per step" : _persistentBackwardAvailable ? "persistent" : "persistent forward, per-step backward (no sub-groups)")})";

    public DeviceArray Allocate(int length) => new IlgpuArray(_accelerator, length);

    public DeviceArray Adopt(float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var array = new IlgpuArray(_accelerator, values.Length);
        Upload(values, array.All);
        return array;
    }

    public DeviceIndexArray AllocateIndices(int length) => new IlgpuIndexArray(_accelerator, length);

    public void Upload(ReadOnlySpan<float> source, Slice destination)
    {
        if (source.Length != destination.Length)
            throw new ArgumentException($"upload of {source.Length} floats into a slice of {destination.Length}");
        if (source.IsEmpty) return;
        // ILGPU's ref overloads take the address of a PINNED buffer (Unsafe.AsPointer, no pin of their own): a span of a
        // plain managed array must be fixed, or a collection between taking the address and the copy moves the array
        fixed (float* p = source)
            destination.DenseView().CopyFromCPU(ref *p, source.Length);
    }

    public void UploadIndices(ReadOnlySpan<int> source, DeviceIndexArray destination, int offset = 0)
    {
        var array = (IlgpuIndexArray)destination;
        if (offset < 0 || offset + source.Length > array.Length)
            throw new ArgumentOutOfRangeException(nameof(offset));
        if (source.IsEmpty) return;
        fixed (int* p = source) // pinned: see Upload
            array.Buffer.View.SubView(offset, source.Length).CopyFromCPU(ref *p, source.Length);
    }

    public void Download(Slice source, Span<float> destination)
    {
        if (source.Length > destination.Length)
            throw new ArgumentException($"download of {source.Length} floats into a span of {destination.Length}");
        if (source.IsEmpty) return;
        _accelerator.Synchronize();
        fixed (float* p = destination) // pinned: see Upload
            source.DenseView().CopyToCPU(ref *p, source.Length);
    }

    public void Fill(Slice destination, float value)
    {
        if (destination.IsEmpty) return;
        LaunchCount++;
        _kernels.Auto(MemoryKernels.Fill)(destination.Length, destination.View(), value);
    }

    public void Copy(Slice source, Slice destination)
    {
        if (source.Length != destination.Length)
            throw new ArgumentException($"copy of {source.Length} floats into a slice of {destination.Length}");
        if (source.IsEmpty) return;
        LaunchCount++;
        _kernels.Auto(MemoryKernels.Copy)(source.Length, source.View(), destination.View());
    }

    public void Synchronize() => _accelerator.Synchronize();

    public void Gemm(Transpose transA, Transpose transB, int m, int n, int k,
        float alpha, Slice a, int lda, Slice b, int ldb, float beta, Slice c, int ldc)
    {
        if (m <= 0 || n <= 0) return;
        var p = new GemmParams
        {
            TransA = transA == Transpose.Yes ? 1 : 0,
            TransB = transB == Transpose.Yes ? 1 : 0,
            M = m, N = n, K = k, Lda = lda, Ldb = ldb, Ldc = ldc, Tile = _tile,
            Alpha = alpha, Beta = beta,
        };
        var grid = new Index2D((n + _tile - 1) / _tile, (m + _tile - 1) / _tile);
        var group = new Index2D(_tile, _tile);
        LaunchCount++;
        _kernels.Grouped(GemmKernels.Gemm, new KernelConfig(grid, group))(a.View(), b.View(), c.View(), p);
    }

    public void ColumnSum(Slice x, int rows, int cols, Slice sums, bool accumulate)
    {
        if (cols <= 0) return;
        LaunchCount++;
        _kernels.Auto(ReductionKernels.ColumnSum)(cols, x.View(), sums.View(), rows, cols, accumulate ? 1 : 0);
    }

    /// <summary>One GEMM and one column sum over all the rows: this backend sums in its own order (no
    /// <see cref="BatchReduction"/> tree), so it promises data-parallel agreement to float rounding, not to the bit.</summary>
    public void DenseGradient(in DenseGradientArgs args)
    {
        int rows = args.Steps * args.Batch;
        if (rows <= 0) return;
        Gemm(Transpose.Yes, Transpose.No, args.Inputs, args.Outputs, rows, 1f, args.Input, args.Inputs,
            args.OutputGradient, args.Outputs, 1f, args.KernelGradient, args.Outputs);
        if (!args.BiasGradient.IsEmpty) ColumnSum(args.OutputGradient, rows, args.Outputs, args.BiasGradient, accumulate: true);
    }

    public void ScaleRows(Slice x, int rows, int cols, Slice scales, Slice y)
    {
        if (rows < 0 || cols < 0) throw new ArgumentOutOfRangeException(nameof(rows), "ScaleRows sizes must not be negative");
        long count = (long)rows * cols;
        if (count == 0) return;
        if (x.Length < count || y.Length < count || scales.Length < rows)
            throw new ArgumentException($"ScaleRows of {rows} x {cols} needs {count} floats in x and y and {rows} scales, not {x.Length}, {y.Length} and {scales.Length}");
        LaunchCount++;
        _kernels.Auto(MemoryKernels.ScaleRows)((int)count, x.View(), scales.View(), y.View(), cols);
    }

    public void GatherSequences(Slice data, GatherLayout layout, DeviceIndexArray indices, int start, int batch, Slice x)
    {
        int count = layout.Steps * batch * layout.Features;
        if (count <= 0) return;
        LaunchCount++;
        _kernels.Auto(GatherKernel.Gather)(count, data.View(), ((IlgpuIndexArray)indices).View, x.View(), new GatherParams
        {
            Features = layout.Features, Start = start, Batch = batch, ItemStride = layout.ItemStride,
            MaxOffset = layout.MaxOffset, First = layout.First, StepStride = layout.StepStride,
        });
    }

    /// <summary>The persistent kernel (one launch for all steps, see <see cref="LstmPersistentKernels"/>) or, as the
    /// fallback, one launch per step: the fused recurrent GEMM + gates + cell update. A call with an initial state
    /// (greedy decoding, one step a call) always takes the per-step kernel: the persistent one starts from zeros.</summary>
    public void LstmForward(in LstmForwardArgs args)
    {
        int threads = args.Batch * args.Units;
        if (threads <= 0 || args.Steps <= 0) return;
        var lengths = LengthsView(args.Lengths);
        bool hasInitialState = !args.InitialHidden.IsEmpty || !args.InitialCell.IsEmpty;
        foreach (var initial in new[] { args.InitialHidden, args.InitialCell })
            if (!initial.IsEmpty && initial.Length < threads)
                throw new ArgumentException($"an initial state needs batch x units = {threads} floats, not {initial.Length}", nameof(args));
        if (!hasInitialState && LstmPath == IlgpuLstmPath.Persistent && PersistentLayout(args.Batch, args.Units) is { } layout)
        {
            var pp = new LstmPersistentParams
            {
                Steps = args.Steps, Batch = args.Batch, Units = args.Units, InputStride = args.InputProjectionStepStride,
                HasLengths = args.Lengths is null ? 0 : 1, RowsPerGroup = layout.Rows,
            };
            int groups = (args.Batch + layout.Rows - 1) / layout.Rows;
            var config = new KernelConfig(new Index1D(groups), new Index1D(layout.ForwardGroup),
                SharedMemoryConfig.RequestDynamic<float>((int)LstmPersistentKernels.SharedFloats(layout.Rows, args.Units)));
            LaunchCount++;
            _kernels.Grouped(LstmPersistentKernels.LstmPersistent_forward, config)(args.InputProjection.View(), args.RecurrentKernel.View(), args.Bias.View(),
                args.Hidden.View(), args.Cell.View(), args.Gates.View(), lengths, pp);
            return;
        }
        var p = new LstmStepParams
        {
            Steps = args.Steps, Batch = args.Batch, Units = args.Units,
            InputStride = args.InputProjectionStepStride, HasLengths = args.Lengths is null ? 0 : 1,
            HasInitialHidden = args.InitialHidden.IsEmpty ? 0 : 1, HasInitialCell = args.InitialCell.IsEmpty ? 0 : 1,
        };
        ArrayView<float> xproj = args.InputProjection.View(), rk = args.RecurrentKernel.View(), bias = args.Bias.View(),
            h = args.Hidden.View(), c = args.Cell.View(), gates = args.Gates.View(),
            h0 = args.InitialHidden.IsEmpty ? _noState.View : args.InitialHidden.View(),
            c0 = args.InitialCell.IsEmpty ? _noState.View : args.InitialCell.View();
        var step = _kernels.Auto(LstmKernels.LstmStep_forward);
        for (int t = 0; t < args.Steps; t++)
        {
            p.Step = t;
            LaunchCount++;
            step(threads, xproj, rk, bias, h, c, gates, h0, c0, lengths, p);
        }
    }

    /// <summary>One persistent launch over all steps in reverse, or (the fallback) one launch per step (pointwise dz
    /// fused with dz_{t+1} U^T); then one GEMM for the
    /// recurrent-kernel gradient over all steps and one column sum for the bias gradient.</summary>
    public void LstmBackward(in LstmBackwardArgs args)
    {
        int B = args.Batch, U = args.Units, G = 4 * U, T = args.Steps;
        if (B * U <= 0 || T <= 0) return;
        var lengths = LengthsView(args.Lengths);
        ArrayView<float> rk = args.RecurrentKernel.View(), c = args.Cell.View(), gates = args.Gates.View(),
            dh = args.HiddenGradient.View(), dc = args.CellGradientScratch.View(), dz = args.GateGradient.View();
        if (LstmPath == IlgpuLstmPath.Persistent && _persistentBackwardAvailable
            && PersistentLayout(B, U) is { } layout)
        {
            var pp = new LstmPersistentParams
            {
                Steps = T, Batch = B, Units = U, HasLengths = args.Lengths is null ? 0 : 1, RowsPerGroup = layout.Rows,
            };
            int groups = (B + layout.Rows - 1) / layout.Rows;
            var config = new KernelConfig(new Index1D(groups), new Index1D(layout.BackwardGroup),
                SharedMemoryConfig.RequestDynamic<float>((int)LstmPersistentKernels.SharedFloats(layout.Rows, U)));
            LaunchCount++;
            _kernels.Grouped(LstmPersistentKernels.LstmPersistent_backward, config)(rk, c, gates, dh, dc, dz, lengths, pp);
        }
        else
        {
            var p = new LstmStepParams { Steps = T, Batch = B, Units = U, HasLengths = args.Lengths is null ? 0 : 1 };
            var step = _kernels.Auto(LstmKernels.LstmStep_backward);
            for (int t = T - 1; t >= 0; t--)
            {
                p.Step = t;
                LaunchCount++;
                step(B * U, rk, c, gates, dh, dc, dz, lengths, p);
            }
        }
        // dU += H[0..T-2]^T dZ[1..T-1]: time-major storage makes all steps one GEMM.
        if (T > 1)
            Gemm(Transpose.Yes, Transpose.No, U, G, (T - 1) * B,
                1f, args.Hidden.Sub(0, (T - 1) * B * U), U, args.GateGradient.Sub(B * G, (T - 1) * B * G), G,
                1f, args.RecurrentKernelGradient, G);
        ColumnSum(args.GateGradient.Sub(0, T * B * G), T * B, G, args.BiasGradient, accumulate: true);
    }

    public void HeadForward(OutputHead head, Slice logits, Slice bias, int rows, int cols, Slice output)
    {
        if (rows <= 0 || cols <= 0) return;
        LaunchCount++;
        if (head == OutputHead.Softmax) _kernels.Auto(HeadKernels.Softmax_forward)(rows, logits.View(), bias.View(), output.View(), cols);
        else _kernels.Auto(HeadKernels.HeadPointwise_forward)(rows * cols, logits.View(), bias.View(), output.View(), cols, (int)head);
    }

    public void HeadLossAndGradient(in HeadLossArgs a)
    {
        var p = new HeadLossParams
        {
            Head = (int)a.Head, Steps = a.Steps, Batch = a.Batch, Cols = a.Cols, Scale = a.Scale,
            Accumulate = a.AccumulateLoss ? 1 : 0, HasGradient = a.LogitGradient.IsEmpty ? 0 : 1, HasLengths = a.Lengths is null ? 0 : 1,
        };
        LaunchCount++;
        // An empty (default) gradient slice has no array: pass a view the kernel never writes.
        _kernels.Grouped(HeadKernels.HeadLoss_backward, new KernelConfig(new Index1D(1), new Index1D(_reduceGroup)))(a.Output.View(), a.Targets.View(), a.Loss.View(),
            a.LogitGradient.IsEmpty ? a.Output.View() : a.LogitGradient.View(), LengthsView(a.Lengths), p);
    }

    public void Adam(Slice parameters, Slice gradients, Slice firstMoment, Slice secondMoment, AdamStep step)
    {
        if (parameters.IsEmpty) return;
        LaunchCount++;
        _kernels.Auto(AdamKernel.Adam)(parameters.Length, parameters.View(), gradients.View(), firstMoment.View(), secondMoment.View(),
            step.StepSize, step.Settings.Beta1, step.Settings.Beta2, step.Settings.Epsilon);
    }

    public void SumOfSquares(Slice x, Slice sumOfSquares)
    {
        if (sumOfSquares.Length < 1) throw new ArgumentException("sumOfSquares needs 1 float", nameof(sumOfSquares));
        if (x.IsEmpty)
        {
            Fill(sumOfSquares.Sub(0, 1), 0f);
            return;
        }
        LaunchCount++;
        _kernels.Grouped(GlobalNormKernels.SumOfSquares, new KernelConfig(new Index1D(1), new Index1D(_reduceGroup)))(x.View(), sumOfSquares.View(), x.Length);
    }

    public void ClipByGlobalNorm(Slice x, Slice sumOfSquares, float maxNorm)
    {
        if (sumOfSquares.Length < 1) throw new ArgumentException("sumOfSquares needs 1 float", nameof(sumOfSquares));
        if (!(maxNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), $"the clipping norm must be positive, not {maxNorm}");
        if (x.IsEmpty) return;
        LaunchCount++;
        _kernels.Auto(GlobalNormKernels.ClipByGlobalNorm)(x.Length, x.View(), sumOfSquares.View(), maxNorm);
    }

    private ArrayView<int> LengthsView(DeviceIndexArray? lengths) =>
        lengths is null ? _noLengths.View : ((IlgpuIndexArray)lengths).View;

    public void Dispose()
    {
        _noLengths.Dispose();
        _noState.Dispose();
        _accelerator.Dispose();
        if (_ownsContext) _context.Dispose();
    }

    // ---- Denoising, sparse and variational autoencoders (issue 15): DenoisingKernels.cs, VariationalKernels.cs, SparsityKernels.cs.

    private static void NeedAll(int count, params ReadOnlySpan<Slice> slices)
    {
        foreach (var s in slices)
            if (s.Length < count) throw new ArgumentException($"a slice of {s.Length} floats given for {count} values");
    }

    public void CorruptInputs(Slice x, int count, float noiseStd, float dropout, CounterKey noiseKey, CounterKey dropoutKey, Slice y)
    {
        if (count <= 0) return;
        NeedAll(count, x, y);
        LaunchCount++;
        _kernels.Auto(DenoisingKernels.CorruptInputs)(count, x.View(), y.View(), new CorruptParams { NoiseStd = noiseStd, Dropout = dropout, NoiseKey = noiseKey.Value, DropoutKey = dropoutKey.Value });
    }

    public void Reparameterize(Slice mean, Slice logVar, int count, CounterKey key, Slice coding)
    {
        if (count <= 0) return;
        NeedAll(count, mean, logVar, coding);
        LaunchCount++;
        _kernels.Auto(VariationalKernels.Reparameterize_forward)(count, mean.View(), logVar.View(), coding.View(), key.Value);
    }

    public void ReparameterizeBackward(Slice logVar, Slice codingGradient, int count, CounterKey key, Slice meanGradient, Slice logVarGradient)
    {
        if (count <= 0) return;
        NeedAll(count, logVar, codingGradient, meanGradient, logVarGradient);
        LaunchCount++;
        _kernels.Auto(VariationalKernels.Reparameterize_backward)(count, logVar.View(), codingGradient.View(), meanGradient.View(), logVarGradient.View(), key.Value);
    }

    public void KlDivergence(Slice mean, Slice logVar, int count, float scale, Slice loss, bool accumulate)
    {
        NeedAll(1, loss);
        if (count <= 0)
        {
            if (!accumulate) Fill(loss.Sub(0, 1), 0f);
            return;
        }
        NeedAll(count, mean, logVar);
        LaunchCount++;
        _kernels.Grouped(VariationalKernels.KlDivergence_forward, new KernelConfig(new Index1D(1), new Index1D(_reduceGroup)))(mean.View(), logVar.View(), loss.View(),
            new KlParams { Count = count, Scale = scale, Accumulate = accumulate ? 1 : 0 });
    }

    public void KlDivergenceBackward(Slice mean, Slice logVar, int count, float scale, Slice meanGradient, Slice logVarGradient)
    {
        if (count <= 0) return;
        NeedAll(count, mean, logVar, meanGradient, logVarGradient);
        LaunchCount++;
        _kernels.Auto(VariationalKernels.KlDivergence_backward)(count, mean.View(), logVar.View(), meanGradient.View(), logVarGradient.View(), scale);
    }

    public void SparsityPenalty(Slice coding, int rows, int cols, SparsityPenalty penalty, Slice loss, bool accumulate)
    {
        NeedAll(1, loss);
        if (rows <= 0 || cols <= 0)
        {
            if (!accumulate) Fill(loss.Sub(0, 1), 0f);
            return;
        }
        NeedAll(rows * cols, coding);
        LaunchCount++;
        _kernels.Grouped(SparsityKernels.SparsityPenalty_forward, new KernelConfig(new Index1D(1), new Index1D(_reduceGroup)))(coding.View(), loss.View(), Params(rows, cols, penalty, accumulate));
    }

    public void SparsityBackward(Slice coding, Slice codingGradient, int rows, int cols, SparsityPenalty penalty, Slice logitGradient)
    {
        if (rows <= 0 || cols <= 0) return;
        NeedAll(rows * cols, coding, codingGradient, logitGradient);
        LaunchCount++;
        _kernels.Auto(SparsityKernels.SparsityPenalty_backward)(rows * cols, coding.View(), codingGradient.View(), logitGradient.View(), Params(rows, cols, penalty, false));
    }

    private static SparsityParams Params(int rows, int cols, SparsityPenalty p, bool accumulate) => new()
    {
        Rows = rows, Cols = cols, Accumulate = accumulate ? 1 : 0, Target = p.Target, Weight = p.Weight, L1 = p.L1,
    };
}

/// <summary>Which LSTM kernels <see cref="IlgpuBackend"/> launches.</summary>
internal enum IlgpuLstmPath
{
    /// <summary>One launch per time step (<see cref="LstmKernels"/>).</summary>
    PerStep,

    /// <summary>One launch per layer and direction looping over the steps (<see cref="LstmPersistentKernels"/>).</summary>
    Persistent,
}

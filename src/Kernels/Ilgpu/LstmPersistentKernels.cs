using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Algorithms.ScanReduceOperations;

namespace RecurrentAE.Kernels.Ilgpu;

/// <summary>Scalars of one persistent LSTM launch (the whole sequence of one layer).</summary>
internal struct LstmPersistentParams
{
    public int Steps, Batch, Units, InputStride, HasLengths, RowsPerGroup;
}

/// <summary>
/// Persistent LSTM kernels: one launch per layer and direction loops over every time step inside the kernel.
///
/// Why: a training step of the reference model is ~170 dependent time steps; with one launch per step (see
/// <see cref="LstmKernels"/>) the GPU spends most of its time launching tiny kernels (a few µs each, each doing
/// ~0.1 MFLOP). Here the time loop lives on the device.
///
/// How: the recurrence of batch row b needs only its own h_{t-1} (forward) or its own dz_{t+1} (backward), so batch
/// rows are independent and no grid-wide synchronisation is needed. Each group owns <c>RowsPerGroup</c> consecutive
/// batch rows (the last group may own fewer) and keeps their recurrent state in dynamic shared memory; between
/// steps only <c>Group.Barrier</c> is needed. The recurrent kernel U (U x 4U, 160 KB at U = 100) is read from
/// global memory every step and stays in L1/L2. Every thread walks the group's work items with a stride of the
/// group size, so any group size and any number of units is correct; a thread owns the same (row, unit) items at
/// every step, so the per-element carries it writes to global memory (c_t, dH, dc) are read back only by itself.
///
/// Forward, per step t (two barriers):
///   1. for every (row r, gate column j) of the group: zs[r, j] = xproj_t[b, j] + bias[j] + sum_q hs[r, q] U[q, j]
///      (skipped for masked rows and at t = 0 where h_{-1} = 0), 4U-way parallel per row;
///   2. for every (row r, unit u): activations, c_t, h_t, gates (or the masked carry), h_t into hs[r, u].
///   Shared: hs (R x U) and zs (R x 4U) floats.
/// Backward, per step t = T-1 .. 0 (two barriers):
///   1. for every (row r, unit u), one warp: dhs[r, u] = dz_{t+1}[r, :] . U[u, :] (lanes stride over the 4U columns,
///      reading U's row coalesced, then a warp reduction; skipped at t = T-1);
///      this needs sub-groups on OpenCL, so a device without them runs the per-step backward;
///   2. for every (row r, unit u): dh = dH_t + dhs [+ dh_{t+1} where step t+1 was masked], written back to dH, then
///      the pointwise dz (into global dZ and into dzs for step t-1) and the dc carry — the per-step kernel's
///      arithmetic, masking included.
///   Shared: dzs (R x 4U) and dhs (R x U) floats. The group size must be a whole number of warps.
/// The weight gradients (dU = H^T dZ over all steps, the bias column sum) stay the large GEMM/reduction launches
/// that follow the loop.
/// </summary>
internal static class LstmPersistentKernels
{
    /// <summary>Shared floats either kernel needs for <paramref name="rows"/> rows of <paramref name="units"/>: R x U for
    /// hs or dhs beside R x 4U for zs or dzs.</summary>
    internal static long SharedFloats(int rows, int units) => 5L * rows * units;

    [IlgpuKernel(ExplicitlyGrouped = true)]
    public static void LstmPersistent_forward(ArrayView<float> xproj, ArrayView<float> rk, ArrayView<float> bias,
        ArrayView<float> hidden, ArrayView<float> cell, ArrayView<float> gates, ArrayView<int> lengths, LstmPersistentParams p)
    {
        var shared = SharedMemory.GetDynamic<float>();
        int U = p.Units, G = 4 * U, R = p.RowsPerGroup, B = p.Batch;
        int b0 = Grid.IdxX * R;
        int rows = IntrinsicMath.Min(R, B - b0);
        int tid = Group.IdxX, nt = Group.DimX;
        var hs = shared.SubView(0, R * U);
        var zs = shared.SubView(R * U, R * G);

        for (int k = tid; k < rows * U; k += nt) hs[k] = 0f;
        Group.Barrier();

        for (int t = 0; t < p.Steps; t++)
        {
            // 1: pre-activations of every gate column of the group's live rows
            for (int k = tid; k < rows * G; k += nt)
            {
                int r = k / G, j = k - r * G, b = b0 + r;
                if (p.HasLengths != 0 && t >= lengths[b]) continue;
                float z = xproj[t * p.InputStride + b * G + j] + bias[j];
                if (t > 0)
                {
                    int h0 = r * U;
                    for (int q = 0; q < U; q++)
                        z += hs[h0 + q] * rk[q * G + j];
                }
                zs[k] = z;
            }
            Group.Barrier();

            // 2: gates, cell and hidden update (or the masked carry)
            for (int k = tid; k < rows * U; k += nt)
            {
                int r = k / U, u = k - r * U, b = b0 + r;
                int row = t * B + b;
                int prev = row - B;
                if (p.HasLengths != 0 && t >= lengths[b])
                {
                    // hs keeps h_{t-1}
                    LstmCell.CarryMasked(hidden, cell, gates, row, prev, t, U, u);
                    continue;
                }
                int z0 = r * G;
                float cPrev = t > 0 ? cell[prev * U + u] : 0f;
                var state = LstmCell.Forward(zs[z0 + u], zs[z0 + U + u], zs[z0 + 2 * U + u], zs[z0 + 3 * U + u], cPrev, gates, row, U, u);
                cell[row * U + u] = state.C;
                hidden[row * U + u] = state.H;
                hs[k] = state.H;
            }
            Group.Barrier();
        }
    }

    [IlgpuKernel(ExplicitlyGrouped = true)]
    public static void LstmPersistent_backward(ArrayView<float> rk, ArrayView<float> cell, ArrayView<float> gates,
        ArrayView<float> dHidden, ArrayView<float> dCell, ArrayView<float> dGates, ArrayView<int> lengths, LstmPersistentParams p)
    {
        var shared = SharedMemory.GetDynamic<float>();
        int U = p.Units, G = 4 * U, R = p.RowsPerGroup, B = p.Batch, T = p.Steps;
        int b0 = Grid.IdxX * R;
        int rows = IntrinsicMath.Min(R, B - b0);
        int tid = Group.IdxX, nt = Group.DimX;
        int lane = Warp.LaneIdx, warps = nt / Warp.WarpSize, warp = tid / Warp.WarpSize;
        var dzs = shared.SubView(0, R * G);
        var dhs = shared.SubView(R * G, R * U);

        for (int t = T - 1; t >= 0; t--)
        {
            // 1: dhs[r, u] = dz_{t+1}[r, :] . U[u, :], one warp per (row, unit): the lanes read a row of U coalesced
            //    and reduce them as a warp (a thread per unit would read U column-wise, 32 cache lines per load)
            if (t < T - 1)
            {
                for (int k = warp; k < rows * U; k += warps)
                {
                    int r = k / U, u = k - r * U;
                    float s = 0f;
                    for (int j = lane; j < G; j += Warp.WarpSize)
                        s += dzs[r * G + j] * rk[u * G + j];
                    // ILGPU.Algorithms' warp reduction: the same shuffle-down tree on CUDA and the CPU accelerator,
                    // and OpenCL's standard sub_group_reduce_add (ILGPU 1.5.3 emits raw shuffles on Intel only)
                    s = WarpExtensions.Reduce<float, AddFloat>(s);
                    if (lane == 0) dhs[k] = s;
                }
                Group.Barrier();
            }

            // 2: dh_t, the pointwise dz (into dZ and dzs for step t-1) and the dc carry, as the per-step kernel does
            for (int k = tid; k < rows * U; k += nt)
            {
                int r = k / U, u = k - r * U, b = b0 + r;
                int row = t * B + b;
                float dh = dHidden[row * U + u];
                float dcIn = 0f;
                if (t < T - 1)
                {
                    dh += dhs[k];
                    // a masked step copied h forward: its whole gradient flows straight back
                    if (p.HasLengths != 0 && t + 1 >= lengths[b])
                        dh += dHidden[(row + B) * U + u];
                    dcIn = dCell[b * U + u];
                }
                dHidden[row * U + u] = dh;
                if (p.HasLengths != 0 && t >= lengths[b])
                {
                    LstmCell.StoreGates(dGates, row, U, u, 0f, 0f, 0f, 0f);
                    LstmCell.StoreGates(dzs, r, U, u, 0f, 0f, 0f, 0f);
                    dCell[b * U + u] = dcIn;
                    continue;
                }
                var d = LstmCell.Backward(gates, cell, row, row - B, t, U, u, dh, dcIn);
                LstmCell.StoreGates(dGates, row, U, u, d.I, d.F, d.G, d.O);
                LstmCell.StoreGates(dzs, r, U, u, d.I, d.F, d.G, d.O);
                dCell[b * U + u] = d.CellCarry;
            }
            Group.Barrier();
        }
    }
}

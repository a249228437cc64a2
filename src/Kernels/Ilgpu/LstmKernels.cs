using ILGPU;

namespace RecurrentAE.Kernels.Ilgpu;

/// <summary>Scalars of one LSTM step launch.</summary>
internal struct LstmStepParams
{
    public int Step, Steps, Batch, Units, InputStride, HasLengths, HasInitialHidden, HasInitialCell;
}

/// <summary>
/// The fused LSTM step, one launch per time step, one thread per (batch row, unit).
/// Forward: z = xproj_t + b + h_{t-1} U for the unit's four gates (the recurrent GEMM fused in), activations,
/// cell and hidden update, gates kept for backward. Backward: dh_t = dH_t + dz_{t+1} U^T (the recurrent GEMM of
/// the step after, fused in) [+ dh_{t+1} where step t+1 was masked], then the pointwise dz and the dc carry.
/// The full dh_t is written back into dH (the contract's scratch) so a masked step before it can pass it on.
/// Forward starts from the initial state when one is given (h_{-1}, c_{-1}: (batch, units) views), else from zeros.
/// </summary>
internal static class LstmKernels
{
    [IlgpuKernel]
    public static void LstmStep_forward(Index1D index, ArrayView<float> xproj, ArrayView<float> rk, ArrayView<float> bias,
        ArrayView<float> hidden, ArrayView<float> cell, ArrayView<float> gates, ArrayView<float> initialHidden,
        ArrayView<float> initialCell, ArrayView<int> lengths, LstmStepParams p)
    {
        int U = p.Units, G = 4 * U, t = p.Step;
        int b = index / U, u = index - b * U;
        int row = t * p.Batch + b;
        int prev = row - p.Batch;
        if (p.HasLengths != 0 && t >= lengths[b])
        {
            LstmCell.CarryMasked(hidden, cell, gates, row, prev, t, U, u);
            if (t == 0)
            {
                // a sequence of length 0 keeps its initial state
                if (p.HasInitialHidden != 0) hidden[row * U + u] = initialHidden[b * U + u];
                if (p.HasInitialCell != 0) cell[row * U + u] = initialCell[b * U + u];
            }
            return;
        }
        int x0 = t * p.InputStride + b * G;
        float zi = xproj[x0 + u] + bias[u];
        float zf = xproj[x0 + U + u] + bias[U + u];
        float zg = xproj[x0 + 2 * U + u] + bias[2 * U + u];
        float zo = xproj[x0 + 3 * U + u] + bias[3 * U + u];
        // h_{t-1} and c_{t-1}: the previous step's, or at t = 0 the initial state (zeros when none is given)
        var hPrev = hidden;
        int h0 = prev * U;
        bool recur = t > 0;
        if (t == 0 && p.HasInitialHidden != 0)
        {
            hPrev = initialHidden;
            h0 = b * U;
            recur = true;
        }
        if (recur)
        {
            for (int q = 0; q < U; q++)
            {
                float hv = hPrev[h0 + q];
                int r = q * G;
                zi += hv * rk[r + u];
                zf += hv * rk[r + U + u];
                zg += hv * rk[r + 2 * U + u];
                zo += hv * rk[r + 3 * U + u];
            }
        }
        float cPrev = 0f;
        if (t > 0) cPrev = cell[prev * U + u];
        else if (p.HasInitialCell != 0) cPrev = initialCell[b * U + u];
        var state = LstmCell.Forward(zi, zf, zg, zo, cPrev, gates, row, U, u);
        cell[row * U + u] = state.C;
        hidden[row * U + u] = state.H;
    }

    [IlgpuKernel]
    public static void LstmStep_backward(Index1D index, ArrayView<float> rk, ArrayView<float> cell, ArrayView<float> gates,
        ArrayView<float> dHidden, ArrayView<float> dCell, ArrayView<float> dGates, ArrayView<int> lengths, LstmStepParams p)
    {
        int U = p.Units, G = 4 * U, t = p.Step;
        int b = index / U, u = index - b * U;
        int row = t * p.Batch + b;
        float dh = dHidden[row * U + u];
        float dcIn = 0f;
        if (t < p.Steps - 1)
        {
            int next = row + p.Batch;
            float s = 0f;
            for (int j = 0; j < G; j++)
                s += dGates[next * G + j] * rk[u * G + j];
            dh += s;
            // A masked step copied h forward: its whole gradient flows straight back.
            if (p.HasLengths != 0 && t + 1 >= lengths[b])
                dh += dHidden[next * U + u];
            dcIn = dCell[b * U + u];
        }
        dHidden[row * U + u] = dh;
        if (p.HasLengths != 0 && t >= lengths[b])
        {
            LstmCell.StoreGates(dGates, row, U, u, 0f, 0f, 0f, 0f);
            dCell[b * U + u] = dcIn;
            return;
        }
        var d = LstmCell.Backward(gates, cell, row, row - p.Batch, t, U, u, dh, dcIn);
        LstmCell.StoreGates(dGates, row, U, u, d.I, d.F, d.G, d.O);
        dCell[b * U + u] = d.CellCarry;
    }
}

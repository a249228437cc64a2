using ILGPU;

namespace RecurrentAE.Kernels.Ilgpu;

/// <summary>The cell output of one (row, unit): c_t and h_t.</summary>
internal struct CellState
{
    public float C, H;
}

/// <summary>dL/dz of the four gates of one (row, unit), and dL/dc_{t-1} carried back.</summary>
internal struct GateGradient
{
    public float I, F, G, O, CellCarry;
}

/// <summary>
/// The pointwise LSTM cell of one (row, unit), shared by the per-step and the persistent kernels so their arithmetic
/// (and masking) cannot drift apart. Keras gate order i, f, c, o; gates are stored activated, (rows, 4U) row-major.
/// </summary>
internal static class LstmCell
{
    /// <summary>Activations of the pre-activations, the cell update, and the gates stored for backward.</summary>
    public static CellState Forward(float zi, float zf, float zg, float zo, float cPrev, ArrayView<float> gates, int gateRow, int units, int u)
    {
        float i = Activations.Sigmoid(zi);
        float f = Activations.Sigmoid(zf);
        float g = Activations.Tanh(zg);
        float o = Activations.Sigmoid(zo);
        StoreGates(gates, gateRow, units, u, i, f, g, o);
        var s = new CellState();
        s.C = f * cPrev + i * g;
        s.H = o * Activations.Tanh(s.C);
        return s;
    }

    /// <summary>Past a sequence's end its state carries over unchanged (Keras masking) and its gates are zero.</summary>
    public static void CarryMasked(ArrayView<float> hidden, ArrayView<float> cell, ArrayView<float> gates,
        int row, int prev, int t, int units, int u)
    {
        hidden[row * units + u] = t == 0 ? 0f : hidden[prev * units + u];
        cell[row * units + u] = t == 0 ? 0f : cell[prev * units + u];
        StoreGates(gates, row, units, u, 0f, 0f, 0f, 0f);
    }

    /// <summary>The pointwise backward from the saved gates and cells: dz of every gate and the dc carry.</summary>
    public static GateGradient Backward(ArrayView<float> gates, ArrayView<float> cell, int row, int prev, int t, int units, int u, float dh, float dcIn)
    {
        int G = 4 * units;
        float i = gates[row * G + u], f = gates[row * G + units + u], g = gates[row * G + 2 * units + u], o = gates[row * G + 3 * units + u];
        float tc = Activations.Tanh(cell[row * units + u]);
        float cPrev = t > 0 ? cell[prev * units + u] : 0f;
        float dcTotal = dcIn + dh * o * (1 - tc * tc);
        var d = new GateGradient();
        d.I = dcTotal * g * i * (1 - i);
        d.F = dcTotal * cPrev * f * (1 - f);
        d.G = dcTotal * i * (1 - g * g);
        d.O = dh * tc * o * (1 - o);
        d.CellCarry = dcTotal * f;
        return d;
    }

    /// <summary>Writes four gate values of (gateRow, u) into a (rows, 4U) block.</summary>
    public static void StoreGates(ArrayView<float> gates, int gateRow, int units, int u, float i, float f, float g, float o)
    {
        int at = gateRow * 4 * units + u;
        gates[at] = i;
        gates[at + units] = f;
        gates[at + 2 * units] = g;
        gates[at + 3 * units] = o;
    }
}

namespace RecurrentAE.Model.Export;

/// <summary>
/// Keras LSTM weights in ONNX's layout. Keras: kernel (in, 4U), recurrent_kernel (U, 4U), bias (4U), gates i, f, c, o
/// along the columns. ONNX LSTM: W [1, 4U, in], R [1, 4U, U], B [1, 8U] = [Wb ; Rb], gates i, o, f, c along the rows
/// (onnx/docs/Operators.md, LSTM). Keras's one bias is Wb; Rb is zero (the two are only ever added).
/// </summary>
internal static class OnnxLstmWeights
{
    /// <summary>For each ONNX gate (i, o, f, c), its index among Keras's (i, f, c, o).</summary>
    private static readonly int[] KerasGateOf = [0, 3, 1, 2];

    /// <summary>A (rows, 4U) Keras matrix as ONNX's [4U, rows] with the gates reordered.</summary>
    public static float[] Matrix(ReadOnlySpan<float> keras, int rows, int units)
    {
        if (keras.Length != rows * 4 * units) throw new ArgumentException($"{keras.Length} values are not a ({rows}, {4 * units}) matrix");
        var onnx = new float[keras.Length];
        for (int gate = 0; gate < 4; gate++)
        {
            int source = KerasGateOf[gate] * units;
            for (int u = 0; u < units; u++)
                for (int r = 0; r < rows; r++)
                    onnx[(gate * units + u) * rows + r] = keras[r * 4 * units + source + u];
        }
        return onnx;
    }

    /// <summary>Keras's bias (4U) as ONNX's B (8U): the reordered bias, then zeros for the recurrent bias.</summary>
    public static float[] Bias(ReadOnlySpan<float> keras, int units)
    {
        if (keras.Length != 4 * units) throw new ArgumentException($"{keras.Length} values are not a bias of {4 * units}");
        var onnx = new float[8 * units];
        for (int gate = 0; gate < 4; gate++)
            keras.Slice(KerasGateOf[gate] * units, units).CopyTo(onnx.AsSpan(gate * units, units));
        return onnx;
    }
}

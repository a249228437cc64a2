using MathNet.Numerics.LinearAlgebra;

namespace RecurrentAE.Model.Analysis;

/// <summary>Projection of row vectors onto their first principal components (centred data, SVD with MathNet).</summary>
public static class Pca
{
    /// <summary>(count, dims) row-major in, (count, components) out.</summary>
    public static float[] Project(ReadOnlySpan<float> rows, int count, int dims, int components = 2)
    {
        if (count < 1 || rows.Length != count * dims) throw new ArgumentException($"{rows.Length} values are not {count} rows of {dims}");
        var m = Matrix<double>.Build.Dense(count, dims);
        for (int i = 0; i < count; i++)
            for (int j = 0; j < dims; j++) m[i, j] = rows[i * dims + j];
        var mean = m.ColumnSums() / count;
        for (int i = 0; i < count; i++) m.SetRow(i, m.Row(i) - mean);
        var svd = m.Svd(computeVectors: true);
        var v = svd.VT.Transpose(); // dims x dims, principal directions in columns
        int k = Math.Min(components, dims);
        var result = new float[count * components];
        for (int i = 0; i < count; i++)
            for (int c = 0; c < k; c++)
            {
                double s = 0;
                for (int j = 0; j < dims; j++) s += m[i, j] * v[j, c];
                result[i * components + c] = (float)s;
            }
        return result;
    }
}

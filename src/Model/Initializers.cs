using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;
using MathNet.Numerics.Random;

namespace RecurrentAE.Model;

/// <summary>Keras's initialisers (keras/initializers), drawn from one seeded generator so a seed makes a run repeatable.</summary>
internal sealed class Initializers(int seed)
{
    private readonly MersenneTwister _random = new(seed);

    /// <summary>glorot_uniform: U(-l, l) with l = sqrt(6 / (fan_in + fan_out)); for (rows, cols), fan_in = rows, fan_out = cols.</summary>
    public void GlorotUniform(Span<float> values, int rows, int cols)
    {
        double limit = Math.Sqrt(6.0 / (rows + cols));
        for (int i = 0; i < values.Length; i++) values[i] = (float)((_random.NextDouble() * 2 - 1) * limit);
    }

    /// <summary>
    /// orthogonal over the whole (rows, cols) matrix, as Keras: QR of a (max, min) standard-normal matrix,
    /// Q's columns multiplied by sign(diag R), transposed when rows &lt; cols.
    /// </summary>
    public void Orthogonal(Span<float> values, int rows, int cols)
    {
        int big = Math.Max(rows, cols), small = Math.Min(rows, cols);
        var normal = new Normal(0, 1, _random);
        var a = Matrix<double>.Build.Dense(big, small, (_, _) => normal.Sample());
        QR<double> qr = a.QR(QRMethod.Thin);
        var q = qr.Q; // big x small
        for (int j = 0; j < small; j++)
        {
            double sign = Math.Sign(qr.R[j, j]);
            if (sign == 0) sign = 1;
            for (int i = 0; i < big; i++) q[i, j] *= sign;
        }
        var result = rows < cols ? q.Transpose() : q; // rows x cols
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                values[i * cols + j] = (float)result[i, j];
    }
}

namespace RecurrentAE.Model.Data;

/// <summary>Per-feature standardisation (x - mean) / std, fitted on the valid steps of the training part and stored in the
/// checkpoint so encode and score apply the same transform. A constant feature gets std 1.</summary>
public sealed record Standardizer(float[] Mean, float[] Std)
{
    public static Standardizer Fit(SequenceDataset data)
    {
        int d = data.Features;
        var sum = new double[d];
        var sq = new double[d];
        long n = 0;
        for (int s = 0; s < data.Count; s++)
        {
            int len = data.LengthOf(s);
            for (int t = 0; t < len; t++)
                for (int f = 0; f < d; f++)
                {
                    double v = data.Values[(s * data.Steps + t) * d + f];
                    sum[f] += v;
                    sq[f] += v * v;
                }
            n += len;
        }
        return FromMoments(sum, sq, n);
    }

    static Standardizer FromMoments(double[] sum, double[] sq, long n)
    {
        int d = sum.Length;
        var mean = new float[d];
        var std = new float[d];
        for (int f = 0; f < d; f++)
        {
            double m = sum[f] / Math.Max(1, n);
            double var = Math.Max(0, sq[f] / Math.Max(1, n) - m * m);
            mean[f] = (float)m;
            std[f] = var > 1e-12 ? (float)Math.Sqrt(var) : 1f;
        }
        return new Standardizer(mean, std);
    }

    /// <summary>Fitted on the rows of a row-major series (every row counts).</summary>
    public static Standardizer Fit(ReadOnlySpan<float> rows, int features)
    {
        var sum = new double[features];
        var sq = new double[features];
        long n = rows.Length / features;
        for (long r = 0; r < n; r++)
            for (int f = 0; f < features; f++)
            {
                double v = rows[(int)(r * features + f)];
                sum[f] += v;
                sq[f] += v * v;
            }
        return FromMoments(sum, sq, n);
    }

    /// <summary>Standardises a row-major series in place.</summary>
    public void ApplyInPlace(Span<float> rows)
    {
        int d = Mean.Length;
        for (int i = 0; i < rows.Length; i++) rows[i] = (rows[i] - Mean[i % d]) / Std[i % d];
    }

    /// <summary>A standardised copy; padded steps stay zero.</summary>
    public SequenceDataset Apply(SequenceDataset data) => Map(data, (v, f) => (v - Mean[f]) / Std[f]);

    /// <summary>Back to the original units.</summary>
    public SequenceDataset Invert(SequenceDataset data) => Map(data, (v, f) => v * Std[f] + Mean[f]);

    public float[] InvertValues(float[] values, int features)
    {
        var result = new float[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = values[i] * Std[i % features] + Mean[i % features];
        return result;
    }

    private SequenceDataset Map(SequenceDataset data, Func<float, int, float> map)
    {
        if (data.Features != Mean.Length) throw new ArgumentException($"the data has {data.Features} features, the scaler {Mean.Length}");
        int d = data.Features;
        var values = new float[data.Values.Length];
        for (int s = 0; s < data.Count; s++)
        {
            int len = data.LengthOf(s);
            for (int t = 0; t < len; t++)
                for (int f = 0; f < d; f++)
                {
                    int i = (s * data.Steps + t) * d + f;
                    values[i] = map(data.Values[i], f);
                }
        }
        return new SequenceDataset(values, data.Count, data.Steps, d, data.Labels, data.Lengths, data.LabelNames);
    }
}

namespace RecurrentAE.Model.Analysis;

/// <summary>
/// The dominant period of a series from its autocorrelation: averaged over the features, computed on at most
/// <see cref="MaxRows"/> rows for lags up to a third of them (at most <see cref="MaxLag"/>): after its first zero
/// crossing, the first local peak that reaches <see cref="NearPeak"/> of the highest, when the highest reaches
/// <see cref="MinPeak"/>; otherwise none.
/// </summary>
public static class DominantPeriod
{
    /// <summary>The longest prefix the autocorrelation is computed on (it costs rows x lags).</summary>
    public const int MaxRows = 32_768;

    /// <summary>The longest period looked for.</summary>
    public const int MaxLag = 1_024;

    /// <summary>The autocorrelation a period's peak must reach to count.</summary>
    public const double MinPeak = 0.2;

    /// <summary>The share of the highest peak an earlier peak needs to be taken instead.</summary>
    public const double NearPeak = 0.8;

    /// <summary>The period in rows, or null when the series shows none (no zero crossing, or no peak after it).</summary>
    public static int? Estimate(ReadOnlySpan<float> values, int rows, int features)
    {
        int n = Math.Min(rows, MaxRows), maxLag = Math.Min(MaxLag, n / 3);
        if (maxLag < 2) return null;
        var acf = Autocorrelation(values, n, features, maxLag);
        int lag = 1;
        while (lag <= maxLag && acf[lag] > 0) lag++;
        if (lag > maxLag) return null;
        int best = -1;
        for (int l = lag; l <= maxLag; l++)
            if (best < 0 || acf[l] > acf[best]) best = l;
        if (acf[best] < MinPeak) return null;
        // The first local peak nearly as high as the highest: the highest is often a multiple of the period (a week of
        // days, or the common multiple of two columns' periods), and the shorter period makes a cheaper, sharper window.
        for (int l = lag; l < best; l++)
            if (acf[l] >= acf[l - 1] && acf[l] >= acf[l + 1] && acf[l] >= NearPeak * acf[best]) return l;
        return best;
    }

    /// <summary>acf[l] for l = 0..maxLag: the mean over features of sum_t x_t x_{t+l} / sum_t x_t^2 (x with its mean removed).</summary>
    public static double[] Autocorrelation(ReadOnlySpan<float> values, int rows, int features, int maxLag)
    {
        var acf = new double[maxLag + 1];
        var x = new double[rows];
        int used = 0;
        for (int f = 0; f < features; f++)
        {
            double mean = 0;
            for (int t = 0; t < rows; t++) mean += values[t * features + f];
            mean /= rows;
            double energy = 0;
            for (int t = 0; t < rows; t++)
            {
                x[t] = values[t * features + f] - mean;
                energy += x[t] * x[t];
            }
            if (energy <= 0) continue; // a constant feature has no period
            used++;
            for (int l = 0; l <= maxLag; l++)
            {
                double s = 0;
                for (int t = 0; t + l < rows; t++) s += x[t] * x[t + l];
                acf[l] += s / energy;
            }
        }
        if (used > 0) for (int l = 0; l <= maxLag; l++) acf[l] /= used;
        return acf;
    }
}

namespace RecurrentAE.Bench.Anomaly;

/// <summary>The wave shapes a channel can follow, one cycle per unit of phase, values about [-1, 1].</summary>
internal enum Shape { Sine, Square, Sawtooth, Pulse, Triangle }

/// <summary>
/// A kind of generated series: each channel's shape, the length range (equal bounds: fixed length), the period range
/// (steps a cycle), the noise (Gaussian, relative to the amplitude) and whether a random walk is added (trend + season).
/// </summary>
internal sealed record Family(string Name, Shape[] Shapes, int MinLength, int MaxLength, double MinPeriod, double MaxPeriod,
    double Noise, bool Walk = false)
{
    public int Features => Shapes.Length;
    public bool Ragged => MinLength != MaxLength;

    /// <summary>What the table says about the family: shapes, length, period, noise.</summary>
    public string Describe() =>
        $"{string.Join("+", Shapes.Select(s => s.ToString().ToLowerInvariant()))}{(Walk ? "+walk" : "")}, " +
        $"{(Ragged ? $"{MinLength}-{MaxLength}" : $"{MinLength}")} steps, period {MinPeriod:0}-{MaxPeriod:0}, noise {Noise:0.##}, {Features}D";
}

/// <summary>One generated series with what made it, so that an anomaly can redraw a segment consistently.</summary>
internal sealed class Series
{
    public required Family Family { get; init; }
    public required double[][] Channels { get; init; } // [channel][step]
    public required double[] Amplitude { get; init; }
    public required double[][] Walk { get; init; } // [channel][step], zeros without a walk
    public required double Period { get; init; }
    public required double Phase { get; init; }
    public int Length => Channels[0].Length;

    /// <summary>Step-major values (steps x features) as float, the layout of a SequenceDataset row.</summary>
    public float[] ToValues()
    {
        int f = Channels.Length;
        var v = new float[Length * f];
        for (int t = 0; t < Length; t++)
            for (int c = 0; c < f; c++) v[t * f + c] = (float)Channels[c][t];
        return v;
    }
}

/// <summary>Normal series of a family and the anomalies injected into them.</summary>
internal static class Generator
{
    /// <summary>A normal series: channels share the period and phase (like leads of one heartbeat or sensors of one
    /// machine); each has its own amplitude in [0.5, 1.5].</summary>
    public static Series Normal(Family family, Random r)
    {
        int length = r.Next(family.MinLength, family.MaxLength + 1);
        double period = family.MinPeriod + (family.MaxPeriod - family.MinPeriod) * r.NextDouble();
        double phase = r.NextDouble();
        int f = family.Features;
        var amplitude = new double[f];
        var walk = new double[f][];
        var channels = new double[f][];
        for (int c = 0; c < f; c++)
        {
            amplitude[c] = 0.5 + r.NextDouble();
            walk[c] = new double[length];
            if (family.Walk)
                for (int t = 1; t < length; t++) walk[c][t] = walk[c][t - 1] + 0.08 * amplitude[c] * Gaussian(r);
            channels[c] = new double[length];
            for (int t = 0; t < length; t++)
                channels[c][t] = amplitude[c] * Wave(family.Shapes[c], t / period + phase) + walk[c][t] + family.Noise * amplitude[c] * Gaussian(r);
        }
        return new Series { Family = family, Channels = channels, Amplitude = amplitude, Walk = walk, Period = period, Phase = phase };
    }

    /// <summary>The anomaly kinds, in table order.</summary>
    public static readonly string[] Kinds = ["spike", "level-shift", "drift", "flat", "noise-burst", "frequency", "swap"];

    /// <summary>
    /// A copy of <paramref name="s"/> with one anomaly of <paramref name="kind"/> in one channel, over a segment of 8-15
    /// steps at a random place (a spike: one or two points in it). Sizes are relative to the channel's amplitude.
    /// </summary>
    public static Series Inject(Series s, string kind, Random r)
    {
        int n = s.Length, c = r.Next(s.Channels.Length);
        int width = Math.Min(r.Next(8, 16), n / 2), from = r.Next(0, n - width + 1);
        var channels = s.Channels.Select(ch => (double[])ch.Clone()).ToArray();
        var x = channels[c];
        double amp = s.Amplitude[c], sign = r.Next(2) == 0 ? -1 : 1, noise = s.Family.Noise * amp;
        var shape = s.Family.Shapes[c];
        switch (kind)
        {
            case "spike":
                for (int k = 0, count = r.Next(1, 3); k < count; k++) x[from + r.Next(width)] += sign * amp * (2.5 + 1.5 * r.NextDouble());
                break;
            case "level-shift":
                double shift = sign * amp * (0.6 + 0.6 * r.NextDouble());
                for (int t = from; t < from + width; t++) x[t] += shift;
                break;
            case "drift": // a ramp away from the pattern that ends the segment at 1-2 amplitudes off
                double end = sign * amp * (1 + r.NextDouble());
                for (int t = from; t < from + width; t++) x[t] += end * (t - from + 1) / width;
                break;
            case "flat": // a stuck sensor: the value at the segment's start, held
                for (int t = from + 1; t < from + width; t++) x[t] = x[from];
                break;
            case "noise-burst":
                double level = amp * (0.3 + 0.3 * r.NextDouble());
                for (int t = from; t < from + width; t++) x[t] += level * Gaussian(r);
                break;
            case "frequency": // the period halves or doubles over the segment, the phase continuous at its start
                double factor = r.Next(2) == 0 ? 0.5 : 2, x0 = from / s.Period + s.Phase;
                for (int t = from; t < from + width; t++)
                    x[t] = amp * Wave(shape, x0 + (t - from) / (s.Period * factor)) + s.Walk[c][t] + noise * Gaussian(r);
                break;
            case "swap": // the segment follows another shape at the same period, phase and amplitude
                var other = (Shape)(((int)shape + 1 + r.Next(Enum.GetValues<Shape>().Length - 1)) % Enum.GetValues<Shape>().Length);
                for (int t = from; t < from + width; t++)
                    x[t] = amp * Wave(other, t / s.Period + s.Phase) + s.Walk[c][t] + noise * Gaussian(r);
                break;
            default:
                throw new ArgumentException($"unknown anomaly kind {kind}");
        }
        return new Series { Family = s.Family, Channels = channels, Amplitude = s.Amplitude, Walk = s.Walk, Period = s.Period, Phase = s.Phase };
    }

    /// <summary>One cycle per unit of <paramref name="x"/>. Pulse: an ECG-like beat (P wave, QRS complex, T wave as
    /// Gaussian bumps, after the usual synthetic-ECG construction), baseline 0 and R peak 1, shifted to centre it near 0.</summary>
    public static double Wave(Shape shape, double x)
    {
        double f = x - Math.Floor(x);
        return shape switch
        {
            Shape.Sine => Math.Sin(2 * Math.PI * f),
            Shape.Square => f < 0.5 ? 1 : -1,
            Shape.Sawtooth => 2 * f - 1,
            Shape.Triangle => f < 0.5 ? 4 * f - 1 : 3 - 4 * f,
            _ => 2 * (Bump(f, 0.2, 0.03, 0.15) + Bump(f, 0.37, 0.012, -0.15) + Bump(f, 0.4, 0.015, 1.0)
                      + Bump(f, 0.43, 0.012, -0.25) + Bump(f, 0.65, 0.05, 0.3)) - 0.5,
        };
    }

    static double Bump(double f, double centre, double width, double height) => height * Math.Exp(-0.5 * Math.Pow((f - centre) / width, 2));

    public static double Gaussian(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());
}

using System.Numerics;
using System.Runtime.InteropServices;
using RecurrentAE.Model;

namespace RecurrentAE.Bench.Anomaly;

/// <summary>The two simple detectors the autoencoder is compared with, on the same (standardised) values.</summary>
internal static class Baselines
{
    /// <summary>
    /// Rolling z-score: each point against the mean and deviation of the <paramref name="window"/> points before it (from
    /// the 5th point on), in every channel; a sequence scores its largest |z|.
    /// </summary>
    public static double[] RollingZ(SequenceDataset data, int window = 20)
    {
        int f = data.Features;
        var scores = new double[data.Count];
        for (int n = 0; n < data.Count; n++)
        {
            var seq = data.Sequence(n);
            int len = data.LengthOf(n);
            double best = 0;
            for (int c = 0; c < f; c++)
                for (int t = 5; t < len; t++)
                {
                    int lo = Math.Max(0, t - window);
                    double sum = 0, sq = 0;
                    for (int u = lo; u < t; u++) { double v = seq[u * f + c]; sum += v; sq += v * v; }
                    int m = t - lo;
                    double mean = sum / m, std = Math.Sqrt(Math.Max(sq / m - mean * mean, 0));
                    best = Math.Max(best, Math.Abs(seq[t * f + c] - mean) / (std + 1e-3));
                }
            scores[n] = best;
        }
        return scores;
    }

    /// <summary>
    /// Nearest neighbour on the raw values: every window of <paramref name="window"/> steps (all channels) of a test
    /// sequence, at stride <paramref name="testStride"/>, against every training window at stride
    /// <paramref name="trainStride"/>; a sequence scores its worst window's Euclidean distance to the nearest training
    /// window. A sequence shorter than the window is one window of its own length against training windows of that length.
    /// </summary>
    public static double[] NearestNeighbour(SequenceDataset train, SequenceDataset test, int window = 24, int trainStride = 4, int testStride = 2)
    {
        var bank = Enumerable.Range(0, test.Count).Select(n => Math.Min(window, test.LengthOf(n))).Distinct()
            .ToDictionary(w => w, w => Windows(train, w, trainStride).ToArray());
        var scores = new double[test.Count];
        Parallel.For(0, test.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, n =>
        {
            int w = Math.Min(window, test.LengthOf(n));
            var references = bank[w];
            double worst = 0;
            foreach (var q in WindowsOf(test, n, w, testStride))
            {
                float nearest = float.MaxValue;
                foreach (var r in references) nearest = Math.Min(nearest, SquaredDistance(q, r, nearest));
                worst = Math.Max(worst, nearest);
            }
            scores[n] = Math.Sqrt(worst);
        });
        return scores;
    }

    static IEnumerable<float[]> Windows(SequenceDataset data, int w, int stride)
    {
        for (int n = 0; n < data.Count; n++)
            if (data.LengthOf(n) >= w)
                foreach (var v in WindowsOf(data, n, w, stride)) yield return v;
    }

    /// <summary>Windows at the stride, and the last one ending at the sequence's end so no step is left out.</summary>
    static IEnumerable<float[]> WindowsOf(SequenceDataset data, int n, int w, int stride)
    {
        int len = data.LengthOf(n), f = data.Features;
        var seq = data.Sequence(n).ToArray();
        for (int start = 0; ; start += stride)
        {
            start = Math.Min(start, len - w);
            yield return seq.AsSpan(start * f, w * f).ToArray();
            if (start == len - w) yield break;
        }
    }

    /// <summary>The squared distance, stopping early once it passes <paramref name="bound"/> (then only "more than bound" matters).</summary>
    static float SquaredDistance(float[] a, float[] b, float bound)
    {
        var va = MemoryMarshal.Cast<float, Vector<float>>(a.AsSpan());
        var vb = MemoryMarshal.Cast<float, Vector<float>>(b.AsSpan());
        var acc = Vector<float>.Zero;
        for (int i = 0; i < va.Length; i++) { var d = va[i] - vb[i]; acc += d * d; }
        float sum = Vector.Sum(acc);
        for (int i = va.Length * Vector<float>.Count; i < a.Length; i++) { float d = a[i] - b[i]; sum += d * d; }
        return sum > bound ? bound : sum;
    }
}

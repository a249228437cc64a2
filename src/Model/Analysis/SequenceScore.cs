using System.Globalization;

namespace RecurrentAE.Model.Analysis;

/// <summary>How a sequence's per-step errors become its score: the mean, the maximum, or the mean of the k largest.</summary>
public enum ScoreKind
{
    /// <summary>The mean over the sequence's own steps (with smoothing 1: its <see cref="RecurrentAutoencoder.SequenceErrors"/>).</summary>
    Mean,

    /// <summary>The largest (smoothed) step error.</summary>
    Max,

    /// <summary>The mean of the k largest (smoothed) step errors (all of them when the sequence has k steps or fewer).</summary>
    TopK,
}

/// <summary>
/// A sequence's anomaly score from its per-step errors (<see cref="RecurrentAutoencoder.StepErrors"/>): the errors are
/// first smoothed by a centred moving average of <see cref="Smooth"/> steps, then reduced by <see cref="Kind"/>, so that a
/// short anomaly in a long sequence is not averaged away (max, topk) while a single noisy step is (smoothing). The rule
/// that computed a model's anomaly threshold is stored with it (<see cref="Checkpoints.DataInfo.Score"/>); its text form
/// is <c>mean</c>, <c>max</c> or <c>topk</c>, then <c>,smooth=K</c> and for topk <c>,k=N</c> (see <see cref="ToString"/>).
/// </summary>
/// <param name="Kind">The reduction over the smoothed steps.</param>
/// <param name="Smooth">The moving average's width in steps (1: no smoothing).</param>
/// <param name="TopK">How many of the largest smoothed steps <see cref="ScoreKind.TopK"/> averages (ignored otherwise).</param>
public sealed record SequenceScore(ScoreKind Kind, int Smooth = 1, int TopK = 1)
{
    /// <summary>What the scores were before step errors existed (and what a checkpoint without a stored rule used):
    /// the plain mean of every step.</summary>
    public static SequenceScore PlainMean { get; } = new(ScoreKind.Mean);

    /// <summary>The rule <c>rae train</c> computes the threshold with and <c>rae score</c> uses when not told otherwise:
    /// the mean of the 30 largest step errors after a 25-step moving average. Chosen with bench/anomaly
    /// (docs/anomaly-benchmark.md) on models trained with the --csv defaults to early stopping: the best mean ROC-AUC and
    /// the best worst cell of the 16 rules compared (max and topk beat the plain mean; wide smoothing beat none); a short
    /// anomaly still dominates the largest smoothed steps, and a change spread over a whole sequence (ECG beats) still
    /// moves 30 of them.</summary>
    public static SequenceScore Default { get; } = new(ScoreKind.TopK, Smooth: 25, TopK: 30);

    /// <summary>Throws <see cref="ArgumentException"/> for a width or k below 1.</summary>
    public void Validate()
    {
        if (Smooth < 1) throw new ArgumentException($"the smoothing width must be at least 1 step, not {Smooth}");
        if (Kind == ScoreKind.TopK && TopK < 1) throw new ArgumentException($"topk needs k of at least 1, not {TopK}");
    }

    /// <summary>The score of one sequence from the errors of its own steps (no padding).</summary>
    public double Of(ReadOnlySpan<float> steps)
    {
        if (steps.Length == 0) throw new ArgumentException("a sequence has at least one step");
        var smoothed = MovingAverage(steps, Smooth);
        switch (Kind)
        {
            case ScoreKind.Mean:
                return smoothed.Average();
            case ScoreKind.Max:
                return smoothed.Max();
            default:
                Array.Sort(smoothed);
                int k = Math.Min(TopK, smoothed.Length);
                double sum = 0;
                for (int i = smoothed.Length - k; i < smoothed.Length; i++) sum += smoothed[i];
                return sum / k;
        }
    }

    /// <summary>The score of every sequence of <paramref name="data"/> from its step errors, (count, steps) as
    /// <see cref="RecurrentAutoencoder.StepErrors"/> gives them (only each sequence's own steps are read).</summary>
    public double[] Of(float[] stepErrors, SequenceDataset data)
    {
        if (stepErrors.Length != data.Count * data.Steps)
            throw new ArgumentException($"{stepErrors.Length} step errors are not {data.Count} sequences of {data.Steps} steps");
        var scores = new double[data.Count];
        for (int n = 0; n < data.Count; n++) scores[n] = Of(stepErrors.AsSpan(n * data.Steps, data.LengthOf(n)));
        return scores;
    }

    /// <summary>
    /// The centred moving average of <paramref name="width"/> steps: step t averages steps t - (width-1)/2 .. t + width/2
    /// (integer division; for an odd width, (width-1)/2 on each side) that exist, so an edge step averages fewer steps
    /// rather than imagined ones (pandas' <c>rolling(width, center=True, min_periods=1).mean()</c> for an odd width).
    /// </summary>
    public static double[] MovingAverage(ReadOnlySpan<float> values, int width)
    {
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), "the width is at least 1");
        var prefix = new double[values.Length + 1];
        for (int i = 0; i < values.Length; i++) prefix[i + 1] = prefix[i] + values[i];
        return CentredMeans(prefix, width);
    }

    /// <summary>The centred moving average of <paramref name="width"/> from the running sums <paramref name="prefix"/>
    /// (prefix[i] = the sum of the first i values): the one implementation behind this class's and
    /// <see cref="PointScores.MovingAverage"/>.</summary>
    internal static double[] CentredMeans(double[] prefix, int width)
    {
        int n = prefix.Length - 1, before = (width - 1) / 2, after = width / 2;
        var result = new double[n];
        for (int t = 0; t < n; t++)
        {
            int lo = Math.Max(0, t - before), hi = Math.Min(n - 1, t + after);
            result[t] = (prefix[hi + 1] - prefix[lo]) / (hi - lo + 1);
        }
        return result;
    }

    /// <summary>The rule's text form: <c>mean,smooth=1</c>, <c>max,smooth=5</c>, <c>topk,smooth=9,k=10</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Name(Kind)},smooth={Smooth}{(Kind == ScoreKind.TopK ? $",k={TopK}" : "")}");

    /// <summary>Reads <see cref="ToString"/>'s form (a missing smooth is 1, a missing k is 1); throws
    /// <see cref="FormatException"/> on anything else.</summary>
    public static SequenceScore Parse(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var kind = ParseKind(parts[0]) ?? throw new FormatException($"'{text}' is not a score rule (mean, max or topk)");
        int smooth = 1, k = 1;
        foreach (var part in parts.Skip(1))
        {
            var kv = part.Split('=', 2);
            if (kv.Length != 2 || !int.TryParse(kv[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
                throw new FormatException($"'{text}' is not a score rule: '{part}'");
            if (kv[0] == "smooth") smooth = v;
            else if (kv[0] == "k") k = v;
            else throw new FormatException($"'{text}' is not a score rule: '{part}'");
        }
        var rule = new SequenceScore(kind, smooth, kind == ScoreKind.TopK ? k : 1);
        try { rule.Validate(); }
        catch (ArgumentException e) { throw new FormatException(e.Message); }
        return rule;
    }

    /// <summary>The name the command line uses for a kind: mean, max, topk.</summary>
    public static string Name(ScoreKind kind) => kind switch { ScoreKind.Mean => "mean", ScoreKind.Max => "max", _ => "topk" };

    /// <summary>The kind a command-line name stands for; null for an unknown name.</summary>
    public static ScoreKind? ParseKind(string name) => name switch
    {
        "mean" => ScoreKind.Mean,
        "max" => ScoreKind.Max,
        "topk" => ScoreKind.TopK,
        _ => null,
    };
}

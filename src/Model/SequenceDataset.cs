namespace RecurrentAE.Model;

/// <summary>
/// Sequences on the host, batch-major and padded to <see cref="Steps"/>: values[(n * steps + t) * features + f].
/// <see cref="Lengths"/> gives each sequence's own length when they differ (null: all have <see cref="Steps"/>);
/// padded steps hold zeros. Labels are optional and never trained on; <see cref="LabelNames"/> names them when known.
/// </summary>
public sealed class SequenceDataset
{
    /// <summary>Wraps <paramref name="values"/> (not copied): <paramref name="count"/> sequences of <paramref name="steps"/> x <paramref name="features"/> values, batch-major; optional labels (one a sequence), lengths (each in 1..steps) and label names. Throws <see cref="ArgumentException"/> when the sizes disagree.</summary>
    public SequenceDataset(float[] values, int count, int steps, int features, int[]? labels = null, int[]? lengths = null, string[]? labelNames = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (count < 0 || steps < 1 || features < 1 || (long)count * steps * features != values.Length)
            throw new ArgumentException($"{values.Length} values do not make {count} sequences of {steps} steps x {features} features");
        if (labels != null && labels.Length != count)
            throw new ArgumentException($"{labels.Length} labels for {count} sequences");
        if (lengths != null && (lengths.Length != count || lengths.Any(l => l < 1 || l > steps)))
            throw new ArgumentException($"sequence lengths must be {count} values in 1..{steps}");
        Values = values;
        Count = count;
        Steps = steps;
        Features = features;
        Labels = labels;
        Lengths = lengths;
        LabelNames = labelNames;
    }

    /// <summary>The values, (count, steps, features) row-major, padded steps zero.</summary>
    public float[] Values { get; }
    /// <summary>The number of sequences.</summary>
    public int Count { get; }
    /// <summary>Steps a sequence, padding included (the longest length).</summary>
    public int Steps { get; }
    /// <summary>Values a step.</summary>
    public int Features { get; }
    /// <summary>One label a sequence, or null.</summary>
    public int[]? Labels { get; }
    /// <summary>Each sequence's own length, or null when all have <see cref="Steps"/>.</summary>
    public int[]? Lengths { get; }
    /// <summary>For one-hot symbols (text): the feature whose step separates words (the space), which random splices
    /// join parts at (<see cref="Training.TrainingOptions.SpliceProbability"/>); null: none.</summary>
    public int? WordSeparator { get; init; }
    /// <summary>Names of the label values (label i is named LabelNames[i]), or null.</summary>
    public string[]? LabelNames { get; }
    /// <summary>Values a sequence, padding included: Steps x Features.</summary>
    public int SequenceLength => Steps * Features;
    /// <summary>True when some sequence is shorter than <see cref="Steps"/>.</summary>
    public bool IsRagged => Lengths != null && Lengths.Any(l => l != Steps);

    /// <summary>Sequence <paramref name="index"/>'s own length.</summary>
    public int LengthOf(int index) => Lengths?[index] ?? Steps;

    /// <summary>Sequence <paramref name="index"/>'s label as text (its name when known), or null without labels.</summary>
    public string? LabelText(int index) => Labels == null ? null
        : LabelNames != null && Labels[index] >= 0 && Labels[index] < LabelNames.Length ? LabelNames[Labels[index]] : Labels[index].ToString();

    /// <summary>Sequence <paramref name="index"/>, padding included.</summary>
    public ReadOnlySpan<float> Sequence(int index) => Values.AsSpan(index * SequenceLength, SequenceLength);

    /// <summary>A copy of sequences [start, start + count).</summary>
    public SequenceDataset Take(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"[{start}, {start + count}) is outside {Count} sequences");
        return new SequenceDataset(Values.AsSpan(start * SequenceLength, count * SequenceLength).ToArray(),
            count, Steps, Features, Labels?.AsSpan(start, count).ToArray(), Lengths?.AsSpan(start, count).ToArray(), LabelNames)
        { WordSeparator = WordSeparator };
    }

    /// <summary>Sequences of different lengths (each step-major, a multiple of <paramref name="features"/> values), padded with zeros.</summary>
    public static SequenceDataset FromRagged(IReadOnlyList<float[]> sequences, int features, int[]? labels = null, string[]? labelNames = null)
    {
        if (sequences.Count == 0) throw new ArgumentException("no sequences");
        var lengths = new int[sequences.Count];
        for (int i = 0; i < sequences.Count; i++)
        {
            if (sequences[i].Length == 0 || sequences[i].Length % features != 0)
                throw new ArgumentException($"sequence {i} has {sequences[i].Length} values, not a positive multiple of {features} features");
            lengths[i] = sequences[i].Length / features;
        }
        int steps = lengths.Max();
        var values = new float[sequences.Count * steps * features];
        for (int i = 0; i < sequences.Count; i++) sequences[i].CopyTo(values, i * steps * features);
        return new SequenceDataset(values, sequences.Count, steps, features, labels, lengths.All(l => l == steps) ? null : lengths, labelNames);
    }
}

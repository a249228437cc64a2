namespace RecurrentAE.Model;

/// <summary>Sequences on the host, batch-major: values[(n * steps + t) * features + f]; labels optional.</summary>
public sealed class SequenceDataset
{
    public SequenceDataset(float[] values, int count, int steps, int features, int[]? labels = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (count < 0 || steps < 1 || features < 1 || (long)count * steps * features != values.Length)
            throw new ArgumentException($"{values.Length} values do not make {count} sequences of {steps} steps x {features} features");
        if (labels != null && labels.Length != count)
            throw new ArgumentException($"{labels.Length} labels for {count} sequences");
        Values = values;
        Count = count;
        Steps = steps;
        Features = features;
        Labels = labels;
    }

    public float[] Values { get; }
    public int Count { get; }
    public int Steps { get; }
    public int Features { get; }
    public int[]? Labels { get; }
    public int SequenceLength => Steps * Features;

    public ReadOnlySpan<float> Sequence(int index) => Values.AsSpan(index * SequenceLength, SequenceLength);

    /// <summary>A copy of sequences [start, start + count).</summary>
    public SequenceDataset Take(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"[{start}, {start + count}) is outside {Count} sequences");
        return new SequenceDataset(Values.AsSpan(start * SequenceLength, count * SequenceLength).ToArray(),
            count, Steps, Features, Labels?.AsSpan(start, count).ToArray());
    }
}

using System.Text;
using RecurrentAE.Model.Data;

namespace RecurrentAE.Model.Text;

/// <summary>Lines to one-hot sequences and back: greedy decoding (the most probable symbol at each step, up to the
/// sequence's own length) and per-character accuracy over unpadded steps.</summary>
public static class OneHot
{
    /// <summary>One-hot sequences (count, longest, vocabulary) padded with zeros, with each line's length; the space
    /// symbol, when the vocabulary has one, is the set's <see cref="SequenceDataset.WordSeparator"/>.</summary>
    public static SequenceDataset Encode(IReadOnlyList<string> lines, Vocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (lines.Count == 0) throw new ArgumentException("no lines");
        var encoded = lines.Select(vocabulary.Encode).ToArray();
        int f = vocabulary.Size;
        var lengths = new int[encoded.Length];
        for (int n = 0; n < encoded.Length; n++)
        {
            if (encoded[n].Length == 0) throw new ArgumentException($"line {n} is empty");
            lengths[n] = encoded[n].Length;
        }
        int steps = lengths.Max();
        long size = (long)encoded.Length * steps * f;
        if (size > Array.MaxLength)
            throw new DataFormatException($"{encoded.Length:N0} lines of up to {steps:N0} characters over {f:N0} symbols make {size:N0} one-hot values, more than one array holds; use a smaller --max-length or a larger --min-count");
        var values = new float[size];
        for (int n = 0; n < encoded.Length; n++)
            for (int t = 0; t < encoded[n].Length; t++)
                values[((long)n * steps + t) * f + encoded[n][t]] = 1f;
        return new SequenceDataset(values, encoded.Length, steps, f, lengths: lengths.All(l => l == steps) ? null : lengths)
        {
            WordSeparator = vocabulary.Contains(new Rune(' ')) ? vocabulary.IndexOf(new Rune(' ')) : null,
        };
    }

    /// <summary>The symbol index at each of sequence <paramref name="index"/>'s own steps: the argmax of each step's
    /// values (probabilities or one-hot targets; the first wins a tie).</summary>
    public static int[] Argmax(ReadOnlySpan<float> values, SequenceDataset data, int index)
    {
        int f = data.Features, len = data.LengthOf(index);
        var seq = values.Slice(index * data.SequenceLength, data.SequenceLength);
        var result = new int[len];
        for (int t = 0; t < len; t++) result[t] = IndexOfMax(seq.Slice(t * f, f));
        return result;
    }

    /// <summary>The index of the largest value (the first wins a tie).</summary>
    public static int IndexOfMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int j = 1; j < values.Length; j++) if (values[j] > values[best]) best = j;
        return best;
    }

    /// <summary>Greedy decoding of sequence <paramref name="index"/> of <paramref name="probabilities"/> (padded like
    /// <paramref name="data"/>, e.g. <see cref="RecurrentAutoencoder.Reconstruct(SequenceDataset)"/>).</summary>
    public static string Decode(ReadOnlySpan<float> probabilities, SequenceDataset data, int index, Vocabulary vocabulary)
    {
        if (probabilities.Length != data.Values.Length)
            throw new ArgumentException($"{probabilities.Length} values do not match the data set's {data.Values.Length}");
        return vocabulary.Decode(Argmax(probabilities, data, index));
    }

    /// <summary>Every sequence decoded greedily.</summary>
    public static string[] DecodeAll(float[] probabilities, SequenceDataset data, Vocabulary vocabulary)
    {
        var result = new string[data.Count];
        for (int n = 0; n < data.Count; n++) result[n] = Decode(probabilities, data, n, vocabulary);
        return result;
    }

    /// <summary>Correct and total characters: steps (within each sequence's length) where the argmax of the
    /// reconstruction is the target's symbol. Padded steps are not counted.</summary>
    public static (long Correct, long Total) CountCorrect(float[] probabilities, SequenceDataset data)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        if (probabilities.Length != data.Values.Length)
            throw new ArgumentException($"{probabilities.Length} values do not match the data set's {data.Values.Length}");
        long correct = 0, total = 0;
        for (int n = 0; n < data.Count; n++)
        {
            var predicted = Argmax(probabilities, data, n);
            var target = Argmax(data.Values, data, n);
            for (int t = 0; t < target.Length; t++) if (predicted[t] == target[t]) correct++;
            total += target.Length;
        }
        return (correct, total);
    }

    /// <summary>Per-character accuracy over unpadded steps (NaN for no steps).</summary>
    public static double Accuracy(float[] probabilities, SequenceDataset data)
    {
        var (correct, total) = CountCorrect(probabilities, data);
        return total == 0 ? double.NaN : (double)correct / total;
    }

    /// <summary>The per-character accuracy of a model's reconstruction of <paramref name="data"/>.</summary>
    public static double Accuracy(RecurrentAutoencoder model, SequenceDataset data) => Accuracy(model.Reconstruct(data), data);
}

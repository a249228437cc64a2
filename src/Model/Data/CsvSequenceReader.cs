using System.Globalization;

namespace RecurrentAE.Model.Data;

/// <summary>
/// Sequences from CSV: one sequence a row, comma-separated numbers, each row T x D values step-major (T = values / D),
/// rows of different lengths allowed. A first row whose first field is <c>label</c> is a header and means every row starts
/// with a label (a number or a name), kept for plots and evaluation, never trained on. Blank lines and lines starting
/// with <c>#</c> are skipped.
/// </summary>
public static class CsvSequenceReader
{
    /// <summary>Reads a CSV file of sequences with <paramref name="features"/> values a step; a missing or malformed file throws <see cref="DataFormatException"/> with a one-line message naming the line.</summary>
    public static SequenceDataset Read(string path, int features = 1)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file");
        using var reader = new StreamReader(path);
        return Read(reader, path, features);
    }

    /// <summary>Reads CSV sequences from <paramref name="reader"/>; <paramref name="name"/> names the source in error messages.</summary>
    public static SequenceDataset Read(TextReader reader, string name, int features = 1)
    {
        if (features < 1) throw new ArgumentException("--features must be at least 1");
        var sequences = new List<float[]>();
        var labelTexts = new List<string>();
        bool? hasLabels = null;
        foreach (var (lineNumber, fields) in CsvRows.Read(reader))
        {
            if (hasLabels == null)
            {
                hasLabels = fields[0].Trim().Equals("label", StringComparison.OrdinalIgnoreCase);
                if (hasLabels == true) continue;
            }
            int first = hasLabels == true ? 1 : 0;
            if (hasLabels == true) labelTexts.Add(fields[0].Trim());
            int n = fields.Length - first;
            if (n == 0 || (n == 1 && fields[first].Trim().Length == 0))
                throw new DataFormatException($"{name}, line {lineNumber}: the row holds no values");
            if (n % features != 0)
                throw new DataFormatException($"{name}, line {lineNumber}: {n} values are not a multiple of --features {features}");
            var values = new float[n];
            for (int i = 0; i < n; i++)
            {
                var field = fields[first + i].Trim();
                if (!float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !float.IsFinite(values[i]))
                    throw new DataFormatException($"{name}, line {lineNumber}, value {i + 1}: '{field}' is not a finite number");
            }
            sequences.Add(values);
        }
        if (sequences.Count == 0) throw new DataFormatException($"{name}: no sequences (every line is blank, a comment or the header)");
        // Rows are padded to the longest: a long row among many short ones can ask for more than one array holds.
        long longest = sequences.Max(s => s.Length), padded = sequences.Count * longest;
        if (padded > Array.MaxLength)
            throw new DataFormatException($"{name}: {sequences.Count:N0} rows padded to the longest ({longest / features:N0} steps) make {padded:N0} values, more than one array holds; split the file or shorten the longest rows");
        var (labels, labelNames) = hasLabels == true ? Labels.Encode(labelTexts) : (null, null);
        return SequenceDataset.FromRagged(sequences, features, labels, labelNames);
    }
}

/// <summary>Labels as read from a file: integers stay themselves; names are numbered in order of first appearance.</summary>
internal static class Labels
{
    public static (int[] Labels, string[]? Names) Encode(IReadOnlyList<string> texts)
    {
        var ints = new int[texts.Count];
        if (texts.All(t => int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)))
        {
            for (int i = 0; i < texts.Count; i++) ints[i] = int.Parse(texts[i], CultureInfo.InvariantCulture);
            return (ints, null);
        }
        var names = new List<string>();
        for (int i = 0; i < texts.Count; i++)
        {
            int k = names.IndexOf(texts[i]);
            if (k < 0) { k = names.Count; names.Add(texts[i]); }
            ints[i] = k;
        }
        return (ints, names.ToArray());
    }
}

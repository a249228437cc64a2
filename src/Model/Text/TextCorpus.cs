using System.Text;
using RecurrentAE.Model.Data;

namespace RecurrentAE.Model.Text;

/// <summary>What to do with a line longer than the maximum length.</summary>
public enum LongLineMode
{
    /// <summary>Leave the line out (the default: no sequence is cut).</summary>
    Drop,
    /// <summary>Keep its first maximum-length characters.</summary>
    Truncate,
}

/// <summary>How lines become sequences: the maximum length in characters (Unicode scalar values; null: no limit), what
/// happens to longer lines, and optional normalisation (lowercase; runs of whitespace to one space, trimmed).</summary>
/// <param name="MaxLength">The longest line kept, in characters; null: no limit.</param>
/// <param name="LongLines">What happens to a longer line.</param>
/// <param name="Lowercase">Lowercase every line.</param>
/// <param name="CollapseWhitespace">Runs of whitespace become one space; lines are trimmed.</param>
public sealed record TextReadOptions(int? MaxLength = null, LongLineMode LongLines = LongLineMode.Drop,
    bool Lowercase = false, bool CollapseWhitespace = false)
{
    /// <summary>Throws <see cref="ArgumentException"/> when MaxLength is below 1.</summary>
    public void Validate()
    {
        if (MaxLength is < 1) throw new ArgumentException($"the maximum length must be at least 1, not {MaxLength}");
    }
}

/// <summary>
/// Text for a character-level autoencoder: one sequence a line, empty (blank) lines skipped, lines longer than the maximum
/// dropped or truncated (and counted). <see cref="ToDataset"/> makes the one-hot sequences with their lengths.
/// </summary>
public sealed class TextCorpus
{
    private TextCorpus(IReadOnlyList<string> lines, int dropped, int truncated, int empty, TextReadOptions options)
    {
        Lines = lines;
        Dropped = dropped;
        Truncated = truncated;
        EmptySkipped = empty;
        Options = options;
    }

    /// <summary>The lines kept, in file order.</summary>
    public IReadOnlyList<string> Lines { get; }
    /// <summary>The number of lines kept.</summary>
    public int Count => Lines.Count;
    /// <summary>Lines left out for being longer than the maximum (mode <see cref="LongLineMode.Drop"/>).</summary>
    public int Dropped { get; }
    /// <summary>Lines cut to the maximum (mode <see cref="LongLineMode.Truncate"/>).</summary>
    public int Truncated { get; }
    /// <summary>Blank lines skipped.</summary>
    public int EmptySkipped { get; }
    /// <summary>The options the lines were read with.</summary>
    public TextReadOptions Options { get; }

    /// <summary>The longest line in characters (Unicode scalar values).</summary>
    public int MaxLineLength => Lines.Count == 0 ? 0 : Lines.Max(Length);

    /// <summary>The length of <paramref name="line"/> in characters (Unicode scalar values).</summary>
    public static int Length(string line) => line.EnumerateRunes().Count();

    /// <summary>Reads a UTF-8 file, one sequence a line. A missing file, or one with no non-empty line, throws
    /// <see cref="DataFormatException"/> with a one-line message.</summary>
    public static TextCorpus Read(string path, TextReadOptions? options = null)
    {
        if (!File.Exists(path)) throw new DataFormatException($"{path}: text file not found");
        using var file = File.OpenRead(path);
        return Read(file, path, options);
    }

    /// <summary>Reads UTF-8 text from a stream, one sequence a line, as <see cref="Read(string, TextReadOptions?)"/>
    /// does; <paramref name="name"/> is used in messages.</summary>
    public static TextCorpus Read(Stream stream, string name, TextReadOptions? options = null)
    {
        var lines = new List<string>();
        try
        {
            // as File.ReadAllLines: a byte-order mark is honoured, invalid UTF-8 is an error
            using var reader = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: true), leaveOpen: true);
            while (reader.ReadLine() is { } line) lines.Add(line);
        }
        catch (DecoderFallbackException) { throw new DataFormatException($"{name}: not valid UTF-8 text"); }
        var corpus = FromLines(lines, options);
        if (corpus.Count == 0)
            throw new DataFormatException(corpus.Dropped > 0
                ? $"{name}: all {corpus.Dropped} lines are longer than --max-length {corpus.Options.MaxLength} (use --truncate or a larger --max-length)"
                : $"{name}: no text (the file has no non-empty line)");
        return corpus;
    }

    /// <summary>Lines from memory, read as <see cref="Read(string, TextReadOptions?)"/> reads a file (blank lines skipped, long lines dropped or cut by <paramref name="options"/>).</summary>
    public static TextCorpus FromLines(IEnumerable<string> lines, TextReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(lines);
        options ??= new TextReadOptions();
        options.Validate();
        var kept = new List<string>();
        int dropped = 0, truncated = 0, empty = 0;
        foreach (var raw in lines)
        {
            var line = Normalize(raw, options);
            if (string.IsNullOrWhiteSpace(line))
            {
                empty++;
                continue;
            }
            if (options.MaxLength is int max && Length(line) > max)
            {
                if (options.LongLines == LongLineMode.Drop) { dropped++; continue; }
                line = Prefix(line, max);
                truncated++;
            }
            kept.Add(line);
        }
        return new TextCorpus(kept, dropped, truncated, empty, options);
    }

    static string Normalize(string line, TextReadOptions options)
    {
        line = line.TrimEnd('\r', '\n');
        if (options.CollapseWhitespace)
            line = string.Join(' ', line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (options.Lowercase) line = line.ToLowerInvariant();
        return line;
    }

    /// <summary>The first <paramref name="runes"/> characters of a line (never splitting a surrogate pair).</summary>
    public static string Prefix(string line, int runes)
    {
        int chars = 0, n = 0;
        foreach (var r in line.EnumerateRunes())
        {
            if (n++ == runes) break;
            chars += r.Utf16SequenceLength;
        }
        return line[..chars];
    }

    /// <summary>A one-line summary of what was read: lines kept, and how many were dropped, truncated or empty.</summary>
    public string Describe()
    {
        var parts = new List<string> { $"{Count:N0} lines (longest {MaxLineLength} characters)" };
        if (Options.MaxLength is int max)
            parts.Add(Options.LongLines == LongLineMode.Drop
                ? $"{Dropped:N0} longer than {max} dropped"
                : $"{Truncated:N0} longer than {max} truncated");
        if (EmptySkipped > 0) parts.Add($"{EmptySkipped:N0} empty skipped");
        return string.Join(", ", parts);
    }

    /// <summary>Lines [start, start + count) as a corpus of their own (same counts).</summary>
    public TextCorpus Slice(int start, int count) =>
        new(Lines.Skip(start).Take(count).ToList(), Dropped, Truncated, EmptySkipped, Options);

    /// <summary>The lines as one-hot sequences over <paramref name="vocabulary"/> (features = its size), padded with
    /// zeros to the longest line, with each line's length.</summary>
    public SequenceDataset ToDataset(Vocabulary vocabulary) => OneHot.Encode(Lines, vocabulary);
}

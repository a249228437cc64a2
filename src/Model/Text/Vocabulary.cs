using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using RecurrentAE.Model.Data;

namespace RecurrentAE.Model.Text;

/// <summary>
/// The symbols of a character-level model: every Unicode scalar value (<see cref="Rune"/>, so an emoji outside the BMP
/// is one symbol) seen at least <see cref="MinCount"/> times in the training lines, in code-point order, after index 0,
/// the unknown symbol that every other character maps to. Stored as JSON in a checkpoint's metadata.
/// </summary>
[JsonConverter(typeof(VocabularyJsonConverter))]
public sealed class Vocabulary
{
    /// <summary>The index of the unknown symbol.</summary>
    public const int Unknown = 0;
    /// <summary>How the unknown symbol is written when decoding.</summary>
    public const string UnknownText = "\uFFFD";
    /// <summary>The key under which a checkpoint's metadata stores the vocabulary.</summary>
    public const string MetadataKey = "vocabulary";
    const string Format = "recurrentae-vocabulary/1";

    private readonly string[] _symbols;
    private readonly Dictionary<int, int> _index = [];

    private Vocabulary(IEnumerable<Rune> runes, int minCount)
    {
        MinCount = minCount;
        var list = new List<string> { UnknownText };
        foreach (var r in runes.Distinct().OrderBy(r => r.Value))
        {
            _index[r.Value] = list.Count;
            list.Add(r.ToString());
        }
        _symbols = [.. list];
    }

    /// <summary>Number of symbols, the unknown one included: the model's features.</summary>
    public int Size => _symbols.Length;
    /// <summary>The minimum count a character needed to get its own symbol.</summary>
    public int MinCount { get; }

    /// <summary>Symbol i as text (index 0: <see cref="UnknownText"/>).</summary>
    public IReadOnlyList<string> Symbols => _symbols;

    /// <summary>The vocabulary of <paramref name="lines"/>: characters seen fewer than <paramref name="minCount"/> times become unknown.</summary>
    public static Vocabulary Build(IEnumerable<string> lines, int minCount = 1)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (minCount < 1) throw new ArgumentOutOfRangeException(nameof(minCount), $"the minimum count must be at least 1, not {minCount}");
        var counts = new Dictionary<Rune, int>();
        foreach (var line in lines)
            foreach (var r in line.EnumerateRunes())
                counts[r] = counts.GetValueOrDefault(r) + 1;
        return new Vocabulary(counts.Where(kv => kv.Value >= minCount).Select(kv => kv.Key), minCount);
    }

    /// <summary>The symbol index of <paramref name="r"/>; <see cref="Unknown"/> when it has none.</summary>
    public int IndexOf(Rune r) => _index.TryGetValue(r.Value, out int i) ? i : Unknown;

    /// <summary>Equal when the symbols and the minimum count are.</summary>
    public bool Equals(Vocabulary? other) => other is not null && MinCount == other.MinCount && _symbols.SequenceEqual(other._symbols);

    /// <summary>True when <paramref name="r"/> has its own symbol.</summary>
    public bool Contains(Rune r) => _index.ContainsKey(r.Value);

    /// <summary>The symbol indices of a line, one per Unicode scalar value.</summary>
    public int[] Encode(string line)
    {
        var result = new List<int>(line.Length);
        foreach (var r in line.EnumerateRunes()) result.Add(IndexOf(r));
        return [.. result];
    }

    /// <summary>The text of symbol indices (unknown ones as <see cref="UnknownText"/>).</summary>
    public string Decode(IEnumerable<int> indices)
    {
        var sb = new StringBuilder();
        foreach (int i in indices)
        {
            if (i < 0 || i >= Size) throw new ArgumentOutOfRangeException(nameof(indices), $"symbol {i} is outside 0..{Size - 1}");
            sb.Append(_symbols[i]);
        }
        return sb.ToString();
    }

    /// <summary>The vocabulary as JSON (what a checkpoint stores).</summary>
    public string ToJson() => JsonSerializer.Serialize(new VocabularyJson(Format, MinCount, _symbols[1..]));

    /// <summary>Reads <see cref="ToJson"/>; anything else throws <see cref="DataFormatException"/>.</summary>
    public static Vocabulary FromJson(string json)
    {
        VocabularyJson? v;
        try { v = JsonSerializer.Deserialize<VocabularyJson>(json); }
        catch (JsonException e) { throw new DataFormatException($"corrupt vocabulary ({e.Message.ReplaceLineEndings(" ")})"); }
        if (v is null || v.Format != Format || v.Symbols is null || v.MinCount < 1)
            throw new DataFormatException($"corrupt vocabulary: expected {Format} with symbols and min_count");
        var runes = new List<Rune>();
        foreach (var s in v.Symbols)
        {
            if (string.IsNullOrEmpty(s) || !Rune.TryGetRuneAt(s, 0, out var r) || r.Utf16SequenceLength != s.Length)
                throw new DataFormatException($"corrupt vocabulary: '{s}' is not one character");
            runes.Add(r);
        }
        if (runes.Distinct().Count() != runes.Count) throw new DataFormatException("corrupt vocabulary: repeated symbols");
        return new Vocabulary(runes, v.MinCount);
    }

    private sealed record VocabularyJson(
        [property: JsonPropertyName("format")] string? Format,
        [property: JsonPropertyName("min_count")] int MinCount,
        [property: JsonPropertyName("symbols")] string[]? Symbols);
}

/// <summary>Writes a <see cref="Vocabulary"/> inside other JSON (e.g. a checkpoint's data info) as its <see cref="Vocabulary.ToJson"/> object.</summary>
internal sealed class VocabularyJsonConverter : JsonConverter<Vocabulary>
{
    public override Vocabulary Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var doc = JsonDocument.ParseValue(ref reader);
        return Vocabulary.FromJson(doc.RootElement.GetRawText());
    }

    public override void Write(Utf8JsonWriter writer, Vocabulary value, JsonSerializerOptions options)
    {
        using var doc = JsonDocument.Parse(value.ToJson());
        doc.RootElement.WriteTo(writer);
    }
}

using System.Text;
using RecurrentAE.Model.Text;
using Xunit.Abstractions;

namespace RecurrentAE.Tests.Text;

public class VocabularyTests
{
    [Fact]
    public void Min_count_maps_rare_characters_to_the_unknown_symbol()
    {
        var v = Vocabulary.Build(["aab", "abc", "ax"], minCount: 2);
        Assert.Equal(3, v.Size); // unknown, a, b
        Assert.Equal(Vocabulary.UnknownText, v.Symbols[0]);
        Assert.Equal(["a", "b"], v.Symbols.Skip(1));
        Assert.Equal([1, 2, 0, 0], v.Encode("abcx"));
        Assert.Equal("ab" + Vocabulary.UnknownText + Vocabulary.UnknownText, v.Decode(v.Encode("abcx")));
        Assert.Equal(Vocabulary.Unknown, v.IndexOf(new Rune('z')));
        Assert.Equal(5, Vocabulary.Build(["aab", "abc", "ax"]).Size); // min count 1: every character
        Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.Build(["a"], 0));
    }

    [Fact]
    public void A_character_outside_the_BMP_is_one_symbol()
    {
        const string line = "hi 😀 é😀"; // U+1F600 is a surrogate pair in UTF-16
        var v = Vocabulary.Build([line]);
        Assert.Equal(1 + 5, v.Size); // unknown, ' ', h, i, é, 😀
        Assert.Contains("😀", v.Symbols);
        var codes = v.Encode(line);
        Assert.Equal(7, codes.Length);
        Assert.Equal(codes[3], codes[6]);
        Assert.Equal(line, v.Decode(codes));
        Assert.Equal(7, TextCorpus.Length(line));
        Assert.Equal("hi 😀", TextCorpus.Prefix(line, 4));
    }

    [Fact]
    public void Json_round_trip_keeps_every_symbol_and_index()
    {
        var v = Vocabulary.Build(["Hello, wörld! 🎉🎉", "\"quotes\" and \\ backslash\t"], minCount: 1);
        var json = v.ToJson();
        var back = Vocabulary.FromJson(json);
        Assert.Equal(v.Symbols, back.Symbols);
        Assert.Equal(v.MinCount, back.MinCount);
        Assert.Equal(v.Encode("wörld 🎉?"), back.Encode("wörld 🎉?"));
        Assert.Equal(json, back.ToJson());
        Assert.Throws<DataFormatException>(() => Vocabulary.FromJson("{\"format\":\"other\"}"));
        Assert.Throws<DataFormatException>(() => Vocabulary.FromJson("not json"));
        Assert.Throws<DataFormatException>(() => Vocabulary.FromJson("{\"format\":\"recurrentae-vocabulary/1\",\"min_count\":1,\"symbols\":[\"ab\"]}"));
    }
}

public class TextCorpusTests
{
    static readonly string[] Lines = ["short", "", "exactly10!", "this line is longer than ten", "   ", "ok 😀😀😀😀😀😀😀"];

    [Fact]
    public void Max_length_drops_longer_lines_by_default()
    {
        var c = TextCorpus.FromLines(Lines, new TextReadOptions(MaxLength: 10));
        Assert.Equal(["short", "exactly10!", "ok 😀😀😀😀😀😀😀"], c.Lines); // the emoji line is 10 characters, 17 UTF-16 units
        Assert.Equal(1, c.Dropped);
        Assert.Equal(0, c.Truncated);
        Assert.Equal(2, c.EmptySkipped);
        Assert.Contains("1 longer than 10 dropped", c.Describe());
    }

    [Fact]
    public void Truncate_keeps_the_first_characters()
    {
        var c = TextCorpus.FromLines(Lines, new TextReadOptions(MaxLength: 4, LongLines: LongLineMode.Truncate));
        Assert.Equal(["shor", "exac", "this", "ok 😀"], c.Lines);
        Assert.Equal(0, c.Dropped);
        Assert.Equal(4, c.Truncated);
        Assert.Contains("4 longer than 4 truncated", c.Describe());
    }

    [Fact]
    public void Normalisation_lowercases_and_collapses_whitespace()
    {
        var c = TextCorpus.FromLines(["  Hello   World\t!  ", "\t "], new TextReadOptions(Lowercase: true, CollapseWhitespace: true));
        Assert.Equal(["hello world !"], c.Lines);
        Assert.Equal(1, c.EmptySkipped);
    }

    [Fact]
    public void Reading_a_file_reports_missing_and_empty_files_in_one_line()
    {
        var dir = Directory.CreateTempSubdirectory("rae-text-").FullName;
        var missing = Assert.Throws<DataFormatException>(() => TextCorpus.Read(Path.Combine(dir, "none.txt")));
        Assert.Contains("not found", missing.Message);
        var empty = Path.Combine(dir, "empty.txt");
        File.WriteAllText(empty, "\n\n  \n");
        Assert.Contains("no text", Assert.Throws<DataFormatException>(() => TextCorpus.Read(empty)).Message);
        var lines = Path.Combine(dir, "lines.txt");
        File.WriteAllText(lines, "one\r\ntwo 😀\n\nthree is long\n", new UTF8Encoding(false));
        var c = TextCorpus.Read(lines, new TextReadOptions(MaxLength: 5));
        Assert.Equal(["one", "two 😀"], c.Lines);
        Assert.Equal(1, c.Dropped);
        Assert.Contains("longer than --max-length", Assert.Throws<DataFormatException>(() => TextCorpus.Read(lines, new TextReadOptions(MaxLength: 2))).Message);
    }
}

public class OneHotTests
{
    [Fact]
    public void A_perfect_reconstruction_decodes_to_the_input_lines()
    {
        string[] lines = ["abc", "a", "cab😀a"];
        var v = Vocabulary.Build(lines);
        var data = OneHot.Encode(lines, v);
        Assert.Equal(3, data.Count);
        Assert.Equal(5, data.Steps);
        Assert.Equal(v.Size, data.Features);
        Assert.Equal([3, 1, 5], data.Lengths!);
        for (int n = 0; n < data.Count; n++)
            for (int t = 0; t < data.Steps; t++)
            {
                float sum = 0;
                for (int j = 0; j < v.Size; j++) sum += data.Values[(n * data.Steps + t) * v.Size + j];
                Assert.Equal(t < data.LengthOf(n) ? 1f : 0f, sum); // one-hot, padding all zeros
            }
        Assert.Equal(lines, OneHot.DecodeAll(data.Values, data, v));
        Assert.Equal(1.0, OneHot.Accuracy(data.Values, data));
    }

    [Fact]
    public void Accuracy_counts_only_unpadded_steps()
    {
        string[] lines = ["abcd", "ab"];
        var v = Vocabulary.Build(lines);
        var data = OneHot.Encode(lines, v);
        int f = v.Size;
        var p = new float[data.Values.Length];
        void Set(int n, int t, int symbol) => p[(n * data.Steps + t) * f + symbol] = 0.9f;
        int a = v.Encode("a")[0], b = v.Encode("b")[0], c = v.Encode("c")[0], d = v.Encode("d")[0];
        Set(0, 0, a); Set(0, 1, b); Set(0, 2, d); Set(0, 3, d); // 3 of 4 right
        Set(1, 0, b); Set(1, 1, b); // 1 of 2 right
        Set(1, 2, c); Set(1, 3, d); // padding: never counted, even when it "matches" nothing
        Assert.Equal((4L, 6L), OneHot.CountCorrect(p, data));
        Assert.Equal(4.0 / 6, OneHot.Accuracy(p, data), 12);
        Assert.Equal("abdd", OneHot.Decode(p, data, 0, v));
        Assert.Equal("bb", OneHot.Decode(p, data, 1, v));
    }
}

public class TextTrainingTests(ITestOutputHelper output)
{
    [Fact]
    public void A_tiny_model_learns_to_reconstruct_a_few_lines()
    {
        string[] lines = ["hello", "world", "abc", "lstm ae", "cab", "dog"];
        var v = Vocabulary.Build(lines);
        var data = OneHot.Encode(lines, v);
        using var backend = BackendFactory.Create("cpu", threads: 2);
        using var model = new RecurrentAutoencoder(backend, new AutoencoderSpec(v.Size, [32, 24], [32], OutputHead.Softmax), seed: 3);
        using var train = model.Upload(data);
        var trainer = new Trainer(model, train, train, new TrainingOptions(Epochs: 300, BatchSize: 6, LearningRate: 1e-2f, Seed: 1));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        trainer.Run(CancellationToken.None);
        var decoded = OneHot.DecodeAll(model.Reconstruct(data), data, v);
        double accuracy = OneHot.Accuracy(model, data);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s, loss {trainer.History[^1].Loss:F4}, accuracy {accuracy:F3}: {string.Join(" | ", decoded)}");
        Assert.Equal(lines, decoded);
        Assert.Equal(1.0, accuracy);
    }
}

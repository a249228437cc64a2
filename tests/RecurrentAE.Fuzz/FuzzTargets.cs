using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using RecurrentAE.Model;
using RecurrentAE.Model.Checkpoints;
using RecurrentAE.Model.Data;
using RecurrentAE.Model.Text;

namespace RecurrentAE.Fuzz;

/// <summary>
/// One reader of user files under fuzzing. <see cref="Parse"/> runs the reader on the input and returns how many
/// bytes its result legitimately holds (its values and labels), the part of the allocation bound that is not
/// proportional to the input (padding to the longest sequence, one-hot text); it throws what the reader throws.
/// </summary>
/// <param name="Name">The name given on the command line (and the corpus folder's name).</param>
/// <param name="Input">What an input is, in words.</param>
/// <param name="Parse">Runs the reader; returns the result's size in bytes.</param>
public sealed record FuzzTarget(string Name, string Input, Func<byte[], long> Parse);

/// <summary>What a reader did with one input (anything else escapes as an exception: a crash).</summary>
/// <param name="Parsed">True when the input was read, false when it was rejected with the documented format error.</param>
/// <param name="Message">The format error's message (null when parsed).</param>
/// <param name="AllocatedBytes">Bytes allocated on the calling thread while reading.</param>
public sealed record FuzzOutcome(bool Parsed, string? Message, long AllocatedBytes);

/// <summary>A reader allocated more than the stated bound, or broke a rule the harness checks (a format error whose
/// message is not one line). afl-fuzz records it as a crash.</summary>
public sealed class FuzzBoundException(string message) : Exception(message);

/// <summary>
/// The fuzz targets, one per reader of user files, and the rule every input must pass: the reader returns, or throws
/// its documented format error (<see cref="DataFormatException"/>) with a one-line message, and allocates at most
/// <see cref="AllocationFactor"/> x (input bytes + result bytes) + <see cref="AllocationSlack"/> (for gzip IDX the input
/// bytes are the decompressed ones). Anything else is a crash. Time is bounded by afl-fuzz's -t in scripts/fuzz.sh.
/// </summary>
public static class FuzzTargets
{
    /// <summary>Bytes allocated per byte of input or result (strings are UTF-16, lists grow by doubling, CSV fields are
    /// split into strings before they are numbers).</summary>
    public const long AllocationFactor = 32;

    /// <summary>Fixed allowance: JIT, regex and JSON serializer caches on a first call.</summary>
    public const long AllocationSlack = 16L << 20;

    /// <summary>Every target, by name.</summary>
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("idx", "a Fashion-MNIST pair: 4-byte big-endian length L, L bytes of images IDX, then labels IDX (each gzip or raw)", Idx),
        new("npy", "a .npy file", bytes => Size(NpyReader.Read(bytes, "fuzz.npy"))),
        new("csv", "a CSV sequence file, read with --features 1 and with --features 3 (rejected when both reject it)", Csv),
        new("series", "a long-series CSV (header row, one row a time step), read with every column and with --columns value", Series),
        new("text", "a UTF-8 text file, one sequence a line, read as rae train --text does and with truncation", Text),
        new("safetensors", "a safetensors file", SafeTensorsFile),
        new("checkpoint", "a checkpoint file without its 8-byte header length (the harness measures the JSON header)", CheckpointHeader),
        new("vocabulary", "a vocabulary's JSON as stored in a checkpoint", VocabularyJson),
    ];

    /// <summary>The target called <paramref name="name"/>, or null.</summary>
    public static FuzzTarget? Find(string name) => All.FirstOrDefault(t => t.Name == name);

    /// <summary>Runs one input through <paramref name="target"/> and checks the rule; a crash escapes as an exception.</summary>
    public static FuzzOutcome Run(FuzzTarget target, byte[] input)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        long resultBytes = 0;
        string? message = null;
        try
        {
            resultBytes = target.Parse(input);
        }
        catch (DataFormatException e)
        {
            message = e.Message;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        long bound = AllocationFactor * (InputBytes(target, input) + resultBytes) + AllocationSlack;
        if (allocated > bound)
            throw new FuzzBoundException($"{target.Name}: allocated {allocated:N0} bytes reading {input.Length:N0} bytes into {resultBytes:N0}, over the bound {bound:N0}");
        if (message is not null && (message.Length == 0 || message.Any(DataFormatException.IsBreaking)))
            throw new FuzzBoundException($"{target.Name}: the format error's message is not one line: '{message}'");
        return new FuzzOutcome(message is null, message, allocated);
    }

    static long InputBytes(FuzzTarget target, byte[] input) =>
        target.Name == "idx" ? input.Length + DecompressedLength(input) : input.Length;

    static long Size(SequenceDataset d) =>
        4L * d.Values.Length + 4L * (d.Labels?.Length ?? 0) + 4L * (d.Lengths?.Length ?? 0)
        + (d.LabelNames?.Sum(n => 2L * n.Length) ?? 0);

    static long Idx(byte[] input)
    {
        var (images, labels) = SplitPair(input);
        var imageData = IdxReader.Read(new MemoryStream(images), IdxReader.ImagesMagic, "fuzz-images.idx");
        var labelData = IdxReader.Read(new MemoryStream(labels), IdxReader.LabelsMagic, "fuzz-labels.idx");
        return Size(FashionMnist.Sequences(imageData, labelData, "fuzz-images.idx", "fuzz-labels.idx"));
    }

    /// <summary>Splits an idx input into its images and labels parts (a length past the end: all images).</summary>
    public static (byte[] Images, byte[] Labels) SplitPair(byte[] input)
    {
        if (input.Length < 4) return (input, []);
        long length = BinaryPrimitives.ReadUInt32BigEndian(input);
        if (length > input.Length - 4) return (input[4..], []);
        return (input[4..(4 + (int)length)], input[(4 + (int)length)..]);
    }

    /// <summary>Joins an images and a labels IDX file into one idx input.</summary>
    public static byte[] JoinPair(byte[] images, byte[] labels)
    {
        var joined = new byte[4 + images.Length + labels.Length];
        BinaryPrimitives.WriteUInt32BigEndian(joined, (uint)images.Length);
        images.CopyTo(joined, 4);
        labels.CopyTo(joined, 4 + images.Length);
        return joined;
    }

    // The decompressed size of each gzip part, counted without keeping it (capped at 1 GiB).
    static long DecompressedLength(byte[] input)
    {
        var (images, labels) = SplitPair(input);
        return Inflated(images) + Inflated(labels);

        static long Inflated(byte[] part)
        {
            if (part.Length < 2 || part[0] != 0x1f || part[1] != 0x8b) return 0;
            long total = 0;
            var buffer = new byte[81920];
            try
            {
                using var gzip = new GZipStream(new MemoryStream(part), CompressionMode.Decompress);
                int n;
                while (total < (1L << 30) && (n = gzip.Read(buffer)) > 0) total += n;
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException) { }
            return total;
        }
    }

    static long Csv(byte[] input) =>
        EachOf([1, 3], features => Size(CsvSequenceReader.Read(new StreamReader(new MemoryStream(input)), "fuzz.csv", features)));

    // Reads the input once per variant (each runs whatever the others did); rejected only when every variant rejects it.
    static long EachOf<T>(T[] variants, Func<T, long> read)
    {
        long size = 0;
        DataFormatException? rejected = null;
        bool parsed = false;
        foreach (var variant in variants)
        {
            try
            {
                size += read(variant);
                parsed = true;
            }
            catch (DataFormatException e)
            {
                rejected ??= e;
            }
        }
        return parsed ? size : throw rejected!;
    }

    static long Series(byte[] input) =>
        EachOf([new SeriesReadOptions(), new SeriesReadOptions(TimeColumn: "time", Columns: ["value"])], options =>
        {
            var series = SeriesCsvReader.Read(new StreamReader(new MemoryStream(input)), "fuzz.csv", options);
            return 4L * series.Values.Length + 8L * (series.Timestamps?.Length ?? 0) + series.Columns.Sum(c => 2L * c.Length);
        });

    static long Text(byte[] input) =>
        EachOf(
        [
            new TextReadOptions(MaxLength: 100), // rae train --text's default
            new TextReadOptions(MaxLength: 8, LongLines: LongLineMode.Truncate, Lowercase: true, CollapseWhitespace: true),
        ], options =>
        {
            var corpus = TextCorpus.Read(new MemoryStream(input), "fuzz.txt", options);
            var vocabulary = Vocabulary.Build(corpus.Lines);
            return Size(corpus.ToDataset(vocabulary)) + corpus.Lines.Sum(l => 2L * l.Length);
        });

    static long SafeTensorsFile(byte[] input)
    {
        var (tensors, metadata) = SafeTensors.Parse(input, "fuzz.safetensors");
        return tensors.Values.Sum(t => 4L * t.Data.Length) + metadata.Sum(m => 2L * (m.Key.Length + m.Value.Length));
    }

    static long CheckpointHeader(byte[] input)
    {
        var checkpoint = Checkpoint.Parse(WithHeaderLength(input), "fuzz.safetensors");
        return checkpoint.Tensors.Values.Sum(t => 4L * t.Data.Length) + checkpoint.Metadata.Sum(m => 2L * (m.Key.Length + m.Value.Length));
    }

    /// <summary>A safetensors file from a checkpoint input: its header is the first JSON value of the input and the
    /// spaces that pad it to a multiple of 8 bytes (all of the input when it is not JSON); the rest is the data. So
    /// mutations inside the JSON keep the header length right and reach the checkpoint's metadata.</summary>
    public static byte[] WithHeaderLength(byte[] input)
    {
        int length = input.Length;
        try
        {
            var reader = new Utf8JsonReader(input);
            if (reader.Read())
            {
                reader.Skip();
                length = (int)reader.BytesConsumed;
                int padded = (length + 7) / 8 * 8;
                if (padded <= input.Length && !input.AsSpan(length, padded - length).ContainsAnyExcept((byte)' ')) length = padded;
            }
        }
        catch (JsonException) { }
        var file = new byte[8 + input.Length];
        BinaryPrimitives.WriteInt64LittleEndian(file, length);
        input.CopyTo(file, 8);
        return file;
    }

    static long VocabularyJson(byte[] input)
    {
        var vocabulary = Vocabulary.FromJson(Encoding.UTF8.GetString(input));
        // what a checkpoint stores must read back as the same vocabulary
        if (!Vocabulary.FromJson(vocabulary.ToJson()).Equals(vocabulary))
            throw new InvalidOperationException("the vocabulary does not survive ToJson/FromJson");
        return vocabulary.Symbols.Sum(s => 2L * s.Length);
    }
}

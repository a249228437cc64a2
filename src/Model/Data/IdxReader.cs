using System.Buffers.Binary;
using System.IO.Compression;

namespace RecurrentAE.Model.Data;

/// <summary>An IDX file's contents: its dimensions and the unsigned bytes that follow the header.</summary>
internal sealed record IdxData(int[] Dimensions, byte[] Values)
{
    public int Count => Dimensions[0];
}

/// <summary>
/// Reads IDX files (the MNIST format: big-endian magic 0x0000 0x08 rank, then rank big-endian int32 dimensions,
/// then unsigned bytes), gzip-compressed or raw (detected by the gzip magic 1f 8b).
/// </summary>
internal static class IdxReader
{
    public const int ImagesMagic = 2051; // ubyte, rank 3
    public const int LabelsMagic = 2049; // ubyte, rank 1

    /// <summary>Images (count, rows, cols); checks magic 2051 and the exact length.</summary>
    public static IdxData ReadImages(string path) => Read(path, ImagesMagic);

    /// <summary>Labels (count); checks magic 2049 and the exact length.</summary>
    public static IdxData ReadLabels(string path) => Read(path, LabelsMagic);

    /// <summary>Reads an IDX file, gzip-compressed or raw, into one array of exactly its values (the file is streamed:
    /// no whole-file buffer, no copies).</summary>
    public static IdxData Read(string path, int expectedMagic)
    {
        using var file = File.OpenRead(path);
        return Read(file, expectedMagic, path);
    }

    /// <summary>Reads IDX bytes (gzip or raw) from a seekable stream; anything malformed throws
    /// <see cref="DataFormatException"/> (one line); <paramref name="name"/> is used in messages.</summary>
    public static IdxData Read(Stream stream, int expectedMagic, string name)
    {
        try
        {
            Span<byte> head = stackalloc byte[2];
            int read = stream.ReadAtLeast(head, 2, throwOnEndOfStream: false);
            stream.Seek(-read, SeekOrigin.Current);
            if (read == 2 && head[0] == 0x1f && head[1] == 0x8b)
            {
                using var gzip = new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true);
                return ReadFrom(gzip, expectedMagic, name);
            }
            return ReadFrom(stream, expectedMagic, name);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException($"{name}: corrupt gzip stream ({OneLine(e.Message)})");
        }
        catch (EndOfStreamException)
        {
            throw new DataFormatException($"{name}: truncated gzip stream");
        }
    }

    /// <summary>Parses IDX bytes already in memory; <paramref name="name"/> is used in messages.</summary>
    public static IdxData Parse(ReadOnlySpan<byte> bytes, int expectedMagic, string name)
    {
        using var stream = new MemoryStream(bytes.ToArray(), writable: false);
        return ReadFrom(stream, expectedMagic, name);
    }

    /// <summary>The header, then the values straight into an array of the size the header gives, then a check that
    /// nothing follows.</summary>
    static IdxData ReadFrom(Stream stream, int expectedMagic, string name)
    {
        Span<byte> word = stackalloc byte[4];
        int got = stream.ReadAtLeast(word, 4, throwOnEndOfStream: false);
        if (got < 4)
            throw new DataFormatException($"{name}: truncated IDX header ({got} bytes)");
        int magic = BinaryPrimitives.ReadInt32BigEndian(word);
        if (magic != expectedMagic)
            throw new DataFormatException($"{name}: wrong IDX magic {magic}, expected {expectedMagic} ({(expectedMagic == ImagesMagic ? "images" : "labels")})");
        int rank = magic & 0xFF;
        int headerLength = 4 + 4 * rank;
        var dims = new int[rank];
        long expected = 1;
        for (int i = 0; i < rank; i++)
        {
            got = stream.ReadAtLeast(word, 4, throwOnEndOfStream: false);
            if (got < 4)
                throw new DataFormatException($"{name}: truncated IDX header ({4 + 4 * i + got} of {headerLength} bytes)");
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(word);
            if (dims[i] < 0)
                throw new DataFormatException($"{name}: negative IDX dimension {dims[i]}");
            // Saturates just above what an array can hold: three dimensions of 2^31 would overflow a long.
            expected = Math.Min(expected * dims[i], Array.MaxLength + 1L);
        }
        // A header may claim more than an array holds (expected saturates above Array.MaxLength): such a file is
        // necessarily truncated, and the message gives the exact product the header claims.
        var values = ReadValues(stream, (int)Math.Min(expected, Array.MaxLength));
        if (values.Length < expected)
            throw new DataFormatException($"{name}: truncated, {values.Length} data bytes where the header ({string.Join(" x ", dims)}) needs {dims.Aggregate(System.Numerics.BigInteger.One, (p, d) => p * d)}");
        // One byte past the values is enough to refuse the file: counting them all would decompress a gzip bomb (a small
        // header, then gigabytes of zeros) to its end.
        Span<byte> next = stackalloc byte[1];
        if (stream.Read(next) > 0)
            throw new DataFormatException($"{name}: unexpected trailing bytes after the {string.Join(" x ", dims)} values its header gives (a concatenated or corrupt file?)");
        return new IdxData(dims, values);
    }

    /// <summary>Up to <paramref name="expected"/> bytes. The array grows with what the stream really holds (starting at
    /// 4 MiB, doubling), so a header that claims more than the file has cannot make us allocate it (the fuzzing bound,
    /// docs/fuzzing.md); a file that holds what it claims ends in an array of exactly that size.</summary>
    static byte[] ReadValues(Stream stream, int expected)
    {
        const int FirstChunk = 1 << 22;
        var values = GC.AllocateUninitializedArray<byte>(Math.Min(expected, FirstChunk));
        int filled = 0;
        while (true)
        {
            filled += stream.ReadAtLeast(values.AsSpan(filled), values.Length - filled, throwOnEndOfStream: false);
            if (filled < values.Length) return values[..filled];
            if (filled == expected) return values;
            Array.Resize(ref values, (int)Math.Min(expected, 2L * values.Length));
        }
    }

    internal static string OneLine(string s) => s.ReplaceLineEndings(" ").Trim();
}

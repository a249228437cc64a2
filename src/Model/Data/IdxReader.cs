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

    public static IdxData Read(string path, int expectedMagic)
    {
        byte[] bytes;
        try
        {
            bytes = Decompress(path);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException($"{path}: corrupt gzip stream ({OneLine(e.Message)})");
        }
        catch (EndOfStreamException)
        {
            throw new DataFormatException($"{path}: truncated gzip stream");
        }
        return Parse(bytes, expectedMagic, path);
    }

    /// <summary>Parses IDX bytes already in memory; <paramref name="name"/> is used in messages.</summary>
    public static IdxData Parse(ReadOnlySpan<byte> bytes, int expectedMagic, string name)
    {
        if (bytes.Length < 4)
            throw new DataFormatException($"{name}: truncated IDX header ({bytes.Length} bytes)");
        int magic = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (magic != expectedMagic)
            throw new DataFormatException($"{name}: wrong IDX magic {magic}, expected {expectedMagic} ({(expectedMagic == ImagesMagic ? "images" : "labels")})");
        int rank = magic & 0xFF;
        int headerLength = 4 + 4 * rank;
        if (bytes.Length < headerLength)
            throw new DataFormatException($"{name}: truncated IDX header ({bytes.Length} of {headerLength} bytes)");
        var dims = new int[rank];
        long expected = 1;
        for (int i = 0; i < rank; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(bytes[(4 + 4 * i)..]);
            if (dims[i] < 0)
                throw new DataFormatException($"{name}: negative IDX dimension {dims[i]}");
            expected *= dims[i];
        }
        long actual = bytes.Length - headerLength;
        if (actual < expected)
            throw new DataFormatException($"{name}: truncated, {actual} data bytes where the header ({string.Join(" x ", dims)}) needs {expected}");
        if (actual > expected)
            throw new DataFormatException($"{name}: {actual - expected} unexpected trailing bytes after {string.Join(" x ", dims)} values");
        return new IdxData(dims, bytes[headerLength..].ToArray());
    }

    static byte[] Decompress(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> head = stackalloc byte[2];
        int read = file.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        file.Position = 0;
        var output = new MemoryStream();
        if (read == 2 && head[0] == 0x1f && head[1] == 0x8b)
        {
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            gzip.CopyTo(output);
        }
        else
        {
            file.CopyTo(output);
        }
        return output.ToArray();
    }

    internal static string OneLine(string s) => s.ReplaceLineEndings(" ").Trim();
}

using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace RecurrentAE.Model.Data;

/// <summary>
/// NumPy .npy arrays of float32 or float64, little-endian, C order, shape [N, T, D] or [N, T] (D = 1), read as sequences
/// of equal length. Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
/// </summary>
public static partial class NpyReader
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads a .npy file; a missing file or an unsupported dtype, order or shape throws <see cref="DataFormatException"/>.</summary>
    public static SequenceDataset Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file");
        return Read(File.ReadAllBytes(path), path);
    }

    /// <summary>Reads .npy bytes; <paramref name="name"/> names the source in error messages.</summary>
    public static SequenceDataset Read(byte[] bytes, string name)
    {
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic))
            throw new DataFormatException($"{name}: not a .npy file (wrong magic)");
        int major = bytes[6];
        long headerLength;
        int headerStart;
        if (major == 1) { headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)); headerStart = 10; }
        else if (major is 2 or 3)
        {
            if (bytes.Length < 12) throw new DataFormatException($"{name}: truncated header");
            headerLength = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)); headerStart = 12;
        }
        else throw new DataFormatException($"{name}: .npy format version {major} is not supported");
        if (headerStart + headerLength > bytes.Length)
            throw new DataFormatException($"{name}: truncated header ({headerLength} bytes claimed, {bytes.Length - headerStart} present)");
        string header = Encoding.Latin1.GetString(bytes, headerStart, (int)headerLength);

        var descr = DescrPattern().Match(header);
        if (!descr.Success) throw new DataFormatException($"{name}: the header names no dtype");
        int size = descr.Groups[1].Value switch
        {
            "<f4" or "=f4" => 4,
            "<f8" or "=f8" => 8,
            var d => throw new DataFormatException($"{name}: dtype '{d}' is not supported (save float32 or float64, little-endian)"),
        };
        if (FortranPattern().IsMatch(header)) throw new DataFormatException($"{name}: Fortran order is not supported (save with np.ascontiguousarray)");
        var shapeMatch = ShapePattern().Match(header);
        if (!shapeMatch.Success) throw new DataFormatException($"{name}: the header has no shape");
        var dims = shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.TryParse(s, out long v) ? v : -1).ToArray();
        if (dims.Length is < 2 or > 3 || dims.Any(d => d < 1))
            throw new DataFormatException($"{name}: shape ({shapeMatch.Groups[1].Value}) is not [N, T, D] or [N, T]");
        long count = dims[0], steps = dims[1], features = dims.Length == 3 ? dims[2] : 1;
        // The product of the dimensions can overflow a long; it saturates just above what one array holds.
        long n = 1;
        foreach (long d in dims) n = Math.Min(n * Math.Min(d, int.MaxValue), (long)int.MaxValue + 1);
        int dataStart = headerStart + (int)headerLength;
        if (n > int.MaxValue || dataStart + n * size != bytes.Length)
            throw new DataFormatException($"{name}: {bytes.Length - dataStart} data bytes, the shape ({shapeMatch.Groups[1].Value}) needs {dims.Aggregate(System.Numerics.BigInteger.One, (p, d) => p * d) * size}");
        var values = new float[n];
        var data = bytes.AsSpan(dataStart);
        for (int i = 0; i < n; i++)
        {
            values[i] = size == 4 ? BinaryPrimitives.ReadSingleLittleEndian(data.Slice(i * 4)) : (float)BinaryPrimitives.ReadDoubleLittleEndian(data.Slice(i * 8));
            if (!float.IsFinite(values[i])) throw new DataFormatException($"{name}: value {i} is {values[i]}, not a finite number");
        }
        return new SequenceDataset(values, (int)count, (int)steps, (int)features);
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*True")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}

using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using RecurrentAE.Model.Data;
using RecurrentAE.Model.IO;

namespace RecurrentAE.Model.Checkpoints;

/// <summary>One float32 tensor of a safetensors file.</summary>
/// <param name="Name">The tensor's name in the file.</param>
/// <param name="Shape">The row-major shape.</param>
/// <param name="Data">The float32 values.</param>
public sealed record Tensor(string Name, int[] Shape, float[] Data);

/// <summary>
/// The safetensors format (https://github.com/huggingface/safetensors), float32 only: an 8-byte little-endian header
/// length N, N bytes of JSON ({"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...,
/// "__metadata__": {string: string}}), padded with spaces to a multiple of 8, then the raw little-endian data.
/// PyTorch (safetensors.torch.load_file) and numpy users can open it.
/// </summary>
internal static class SafeTensors
{
    const long MaxHeader = 100_000_000;

    public static void Write(string path, IReadOnlyList<Tensor> tensors, IReadOnlyDictionary<string, string>? metadata)
        => AtomicFile.Write(path, s => Write(s, tensors, metadata));

    public static void Write(Stream stream, IReadOnlyList<Tensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        var json = new MemoryStream();
        using (var w = new Utf8JsonWriter(json, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var t in tensors)
            {
                if (!names.Add(t.Name) || t.Name == "__metadata__") throw new ArgumentException($"duplicate tensor name '{t.Name}'");
                long count = 1;
                foreach (var d in t.Shape) count *= d;
                if (count != t.Data.Length) throw new ArgumentException($"tensor '{t.Name}': shape [{string.Join(",", t.Shape)}] does not hold {t.Data.Length} values");
                w.WriteStartObject(t.Name);
                w.WriteString("dtype", "F32");
                w.WriteStartArray("shape");
                foreach (var d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + 4L * t.Data.Length);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += 4L * t.Data.Length;
            }
            w.WriteEndObject();
        }
        while (json.Length % 8 != 0) json.WriteByte((byte)' ');
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(len, json.Length);
        stream.Write(len);
        json.Position = 0;
        json.CopyTo(stream);
        foreach (var t in tensors)
        {
            if (BitConverter.IsLittleEndian)
                stream.Write(MemoryMarshal.AsBytes(t.Data.AsSpan()));
            else
            {
                var buf = new byte[4 * t.Data.Length];
                for (int i = 0; i < t.Data.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(buf.AsSpan(4 * i), t.Data[i]);
                stream.Write(buf);
            }
        }
    }

    /// <summary>Reads every tensor and the metadata. Anything malformed throws <see cref="DataFormatException"/>
    /// with a one-line message naming the file.</summary>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (FileNotFoundException) { throw new DataFormatException($"{path}: checkpoint not found"); }
        catch (DirectoryNotFoundException) { throw new DataFormatException($"{path}: checkpoint not found"); }
        return Parse(bytes, path);
    }

    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Parse(ReadOnlySpan<byte> bytes, string name)
    {
        if (bytes.Length < 8) throw Bad(name, $"too short ({bytes.Length} bytes) for a safetensors header");
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        if (headerLength <= 0 || headerLength > MaxHeader || headerLength > bytes.Length - 8)
            throw Bad(name, $"header length {headerLength} does not fit a {bytes.Length}-byte file (truncated or not safetensors)");
        var data = bytes[(8 + (int)headerLength)..];
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(Encoding.UTF8.GetString(bytes.Slice(8, (int)headerLength))); }
        catch (JsonException e) { throw Bad(name, $"header is not valid JSON ({IdxReader.OneLine(e.Message)})"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Bad(name, "header is not a JSON object");
            long covered = 0;
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object) throw Bad(name, "__metadata__ is not an object");
                    foreach (var m in prop.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String) throw Bad(name, $"metadata '{m.Name}' is not a string");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                try
                {
                    var v = prop.Value;
                    var dtype = v.GetProperty("dtype").GetString();
                    if (dtype != "F32") throw Bad(name, $"tensor '{prop.Name}' has dtype {dtype}, only F32 is supported");
                    var shape = v.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
                    var offs = v.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                    // The product of the dimensions can overflow a long (and wrap to the span's size): it saturates
                    // just above what the data can hold.
                    long count = 1;
                    foreach (var d in shape)
                    {
                        if (d < 0) throw Bad(name, $"tensor '{prop.Name}' has a negative dimension");
                        count = Math.Min(count * d, data.Length / 4 + 1);
                    }
                    if (shape.Contains(0)) count = 0;
                    if (offs.Length != 2 || offs[0] < 0 || offs[1] < offs[0] || offs[1] > data.Length)
                        throw Bad(name, $"tensor '{prop.Name}' data_offsets [{string.Join(",", offs)}] lie outside the {data.Length}-byte data (truncated?)");
                    if (offs[1] - offs[0] != 4 * count)
                        throw Bad(name, $"tensor '{prop.Name}' data_offsets span {offs[1] - offs[0]} bytes, shape [{string.Join(",", shape)}] needs {4 * shape.Aggregate(System.Numerics.BigInteger.One, (p, d) => p * d)}");
                    var values = new float[count];
                    var src = data.Slice((int)offs[0], (int)(offs[1] - offs[0]));
                    if (BitConverter.IsLittleEndian) src.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
                    else for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(src[(4 * i)..]);
                    tensors[prop.Name] = new Tensor(prop.Name, shape, values);
                    covered += offs[1] - offs[0];
                }
                catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
                {
                    throw Bad(name, $"tensor '{prop.Name}' has a malformed header entry");
                }
            }
            if (covered != data.Length) throw Bad(name, $"tensors cover {covered} of {data.Length} data bytes");
        }
        return (tensors, metadata);
    }

    static DataFormatException Bad(string name, string what) => new($"{name}: corrupt checkpoint: {what}");
}

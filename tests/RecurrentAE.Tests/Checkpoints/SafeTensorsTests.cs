using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace RecurrentAE.Tests.Checkpoints;

public class SafeTensorsTests
{
    static readonly float[] Awkward =
    [
        0f, -0f, 1f, -1.5f, float.Epsilon, -float.Epsilon, float.MaxValue, float.MinValue, 1e-38f, 3.14159265f,
        float.PositiveInfinity, float.NegativeInfinity, BitConverter.Int32BitsToSingle(0x7fc00001), BitConverter.Int32BitsToSingle(unchecked((int)0xffc12345)),
    ];

    static string WriteSample(out Tensor[] tensors)
    {
        var rnd = new Random(3);
        var big = Enumerable.Range(0, 6 * 5).Select(_ => (float)rnd.NextDouble() - 0.5f).ToArray();
        tensors = [new Tensor("a.kernel", [2, 7], Awkward), new Tensor("b", [6, 5], big), new Tensor("empty", [0], [])];
        var path = Path.Combine(TestIdx.TempDir(), "t.safetensors");
        SafeTensors.Write(path, tensors, new Dictionary<string, string> { ["spec"] = "{\"x\": 1}", ["note"] = "ünïcode \"quoted\"" });
        return path;
    }

    [Fact]
    public void RoundTripIsBitExact()
    {
        var path = WriteSample(out var tensors);
        var (read, meta) = SafeTensors.Read(path);
        Assert.Equal(tensors.Length, read.Count);
        foreach (var t in tensors)
        {
            Assert.Equal(t.Shape, read[t.Name].Shape);
            Assert.Equal(t.Data.Select(BitConverter.SingleToInt32Bits), read[t.Name].Data.Select(BitConverter.SingleToInt32Bits));
        }
        Assert.Equal("{\"x\": 1}", meta["spec"]);
        Assert.Equal("ünïcode \"quoted\"", meta["note"]);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp")); // atomic write left no temp file
    }

    [Fact]
    public void LayoutFollowsTheSafetensorsFormat()
    {
        var path = WriteSample(out var tensors);
        var bytes = File.ReadAllBytes(path);
        long n = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        Assert.Equal(0, n % 8);
        using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)n));
        var a = doc.RootElement.GetProperty("a.kernel");
        Assert.Equal("F32", a.GetProperty("dtype").GetString());
        Assert.Equal([2, 7], a.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        var offsets = a.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(4 * 14, offsets[1] - offsets[0]);
        Assert.Equal(-1.5f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(8 + (int)n + offsets[0] + 3 * 4)));
        Assert.Equal(JsonValueKind.Object, doc.RootElement.GetProperty("__metadata__").ValueKind);
        Assert.Equal(8 + n + 4 * (14 + 30), bytes.Length);
    }

    static void AssertCorrupt(byte[] bytes, string expected)
    {
        var path = Path.Combine(TestIdx.TempDir(), "bad.safetensors");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<DataFormatException>(() => SafeTensors.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void CorruptFilesGiveOneLineErrors()
    {
        var good = File.ReadAllBytes(WriteSample(out _));
        AssertCorrupt(good[..5], "too short");
        AssertCorrupt(good[..100], "header length");
        AssertCorrupt(good[..^4], "data_offsets");          // truncated data
        AssertCorrupt([.. good, 0, 0, 0, 0], "cover");        // trailing bytes
        var badJson = (byte[])good.Clone();
        badJson[8] = (byte)'x';
        AssertCorrupt(badJson, "JSON");
        var f16 = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(good).Replace("\"F32\"", "\"F16\""));
        AssertCorrupt(f16, "F16");
    }

    [Fact]
    public void MissingFileIsAnError()
    {
        var e = Assert.Throws<DataFormatException>(() => SafeTensors.Read("/nonexistent/x.safetensors"));
        Assert.Contains("not found", e.Message);
    }
}

using System.Buffers.Binary;
using System.Text;
using RecurrentAE.Model.Text;

namespace RecurrentAE.Tests.Data;

/// <summary>Files whose sizes multiply past what a long or one array holds: each reader rejects them with its one-line
/// format error before allocating, rather than wrapping around to a wrong shape or failing inside the runtime.</summary>
public class OversizedHeaderTests
{
    [Fact]
    public void Npy_shape_whose_product_wraps_to_the_data_length_is_rejected()
    {
        // (2^62 + 1) x 4 x 1 = 2^64 + 4 values wraps to 4 in a long: the 16 data bytes used to read as a 1 x 4 x 1 array
        var e = Assert.Throws<DataFormatException>(() => NpyReader.Read(Npy("(4611686018427387905, 4, 1)", 16), "wrap.npy"));
        Assert.Contains("needs 73786976294838206480", e.Message);
    }

    [Fact]
    public void Npy_version_2_header_length_over_2_GB_is_rejected()
    {
        var bytes = Npy("(1, 1)", 4, major: 2);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), 0xF0000000);
        var e = Assert.Throws<DataFormatException>(() => NpyReader.Read(bytes, "long.npy"));
        Assert.Contains("truncated header (4026531840 bytes claimed", e.Message);
    }

    [Fact]
    public void Idx_dimensions_whose_product_overflows_are_rejected_as_truncated()
    {
        var bytes = new byte[16 + 8];
        BinaryPrimitives.WriteInt32BigEndian(bytes, IdxReader.ImagesMagic);
        for (int i = 0; i < 3; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), int.MaxValue);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.Parse(bytes, IdxReader.ImagesMagic, "huge.idx"));
        Assert.Contains("truncated, 8 data bytes", e.Message);
        Assert.Contains("needs 9903520300447984150353281023", e.Message); // (2^31 - 1)^3
    }

    [Fact]
    public void Safetensors_shape_whose_product_wraps_to_zero_is_rejected()
    {
        // 65536^4 = 2^64 wraps to 0 in a long: an empty span used to be accepted as a tensor of that shape
        var bytes = SafeTensorsFile("""{"t":{"dtype":"F32","shape":[65536,65536,65536,65536],"data_offsets":[0,0]}}""");
        var e = Assert.Throws<DataFormatException>(() => SafeTensors.Parse(bytes, "wrap.safetensors"));
        Assert.Contains("needs 73786976294838206464", e.Message);
    }

    [Fact]
    public void Csv_rows_padded_past_one_array_are_rejected_before_padding()
    {
        // 50,001 rows padded to a row of 50,000 values: 2.5e9 values, more than an array holds
        var text = new StringBuilder(string.Join(",", Enumerable.Repeat("1", 50_000))).Append('\n');
        for (int i = 0; i < 50_000; i++) text.Append("1\n");
        var e = Assert.Throws<DataFormatException>(() => CsvSequenceReader.Read(new StringReader(text.ToString()), "wide.csv"));
        Assert.Contains("50,001 rows padded to the longest (50,000 steps) make 2,500,050,000 values", e.Message);
    }

    [Fact]
    public void Text_whose_one_hot_tensor_passes_one_array_is_rejected_before_encoding()
    {
        // 22,000 lines of 100 characters over 1,001 symbols: 2.2e9 one-hot values
        var symbols = Enumerable.Range(0x4E00, 1000).Select(c => (char)c).ToArray();
        var lines = Enumerable.Range(0, 22_000).Select(n => new string(Enumerable.Range(0, 100).Select(i => symbols[(n * 100 + i) % 1000]).ToArray())).ToList();
        var vocabulary = Vocabulary.Build(lines);
        Assert.Equal(1001, vocabulary.Size);
        var e = Assert.Throws<DataFormatException>(() => OneHot.Encode(lines, vocabulary));
        Assert.Contains("22,000 lines of up to 100 characters over 1,001 symbols make 2,202,200,000 one-hot values", e.Message);
    }

    static byte[] Npy(string shape, int dataBytes, int major = 1)
    {
        string header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}";
        int start = major == 1 ? 10 : 12;
        header = header.PadRight(header.Length + (64 - (start + header.Length + 1) % 64) % 64) + "\n";
        var bytes = new byte[start + header.Length + dataBytes];
        bytes[0] = 0x93;
        "NUMPY"u8.CopyTo(bytes.AsSpan(1));
        bytes[6] = (byte)major;
        if (major == 1) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)header.Length);
        else BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)header.Length);
        Encoding.Latin1.GetBytes(header).CopyTo(bytes, start);
        return bytes;
    }

    static byte[] SafeTensorsFile(string header)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, json.Length);
        json.CopyTo(bytes, 8);
        return bytes;
    }
}

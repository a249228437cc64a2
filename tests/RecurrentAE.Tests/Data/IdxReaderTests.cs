namespace RecurrentAE.Tests.Data;

public class IdxReaderTests
{
    static readonly byte[] Pixels = Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)(i * 10)).ToArray();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsImagesRawAndGzip(bool gzip)
    {
        var path = Path.Combine(TestIdx.TempDir(), "images");
        TestIdx.Write(path, TestIdx.Bytes(2051, [2, 3, 4], Pixels), gzip);
        var idx = IdxReader.ReadImages(path);
        Assert.Equal([2, 3, 4], idx.Dimensions);
        Assert.Equal(Pixels, idx.Values);
        Assert.Equal(2, idx.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsLabels(bool gzip)
    {
        var path = Path.Combine(TestIdx.TempDir(), "labels.gz");
        TestIdx.Write(path, TestIdx.Bytes(2049, [3], [7, 0, 9]), gzip);
        var idx = IdxReader.ReadLabels(path);
        Assert.Equal([3], idx.Dimensions);
        Assert.Equal(new byte[] { 7, 0, 9 }, idx.Values);
    }

    static DataFormatException Fails(byte[] bytes, bool gzip, bool labels = false)
    {
        var path = Path.Combine(TestIdx.TempDir(), "bad-file");
        TestIdx.Write(path, bytes, gzip);
        var e = Assert.Throws<DataFormatException>(() => { if (labels) IdxReader.ReadLabels(path); else IdxReader.ReadImages(path); });
        Assert.Contains(path, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedDataIsAnError(bool gzip)
    {
        var bytes = TestIdx.Bytes(2051, [2, 3, 4], Pixels);
        var e = Fails(bytes[..^5], gzip);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void TruncatedHeaderIsAnError()
    {
        var bytes = TestIdx.Bytes(2051, [2, 3, 4], Pixels);
        Assert.Contains("truncated", Fails(bytes[..9], gzip: false).Message);
        Assert.Contains("truncated", Fails(bytes[..2], gzip: false).Message);
    }

    [Fact]
    public void TrailingBytesAreAnError()
    {
        var bytes = TestIdx.Bytes(2051, [2, 3, 4], [.. Pixels, 1, 2]);
        Assert.Contains("trailing", Fails(bytes, gzip: true).Message);
    }

    /// <summary>A header of one value followed by endless zeros (what a gzip bomb decompresses to) is refused at the
    /// first byte past the values, not read to its end.</summary>
    [Fact]
    public void EndlessTrailingBytesAreRefusedAtTheFirst()
    {
        var stream = new EndlessZeros(TestIdx.Bytes(2051, [1, 1, 1], [7]));
        var e = Assert.Throws<DataFormatException>(() => IdxReader.Read(stream, IdxReader.ImagesMagic, "bomb"));
        Assert.Contains("trailing", e.Message);
        Assert.InRange(stream.Position, 17, 17 + 4096); // the header, the value, at most one read more
    }

    /// <summary>The given bytes, then zeros for ever (a mebibyte of them, then it throws).</summary>
    sealed class EndlessZeros(byte[] head) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get; set; }
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (Position > 1 << 20) throw new InvalidOperationException("read a mebibyte past the values: the reader would not stop");
            for (int i = 0; i < count; i++) buffer[offset + i] = Position + i < head.Length ? head[Position + i] : (byte)0;
            Position += count;
            return count;
        }
        public override long Seek(long offset, SeekOrigin origin) =>
            Position = origin == SeekOrigin.Current ? Position + offset : origin == SeekOrigin.Begin ? offset : throw new NotSupportedException();
        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public void WrongMagicIsAnError()
    {
        // a labels file where images are expected, and the other way round
        Assert.Contains("magic 2049", Fails(TestIdx.Bytes(2049, [3], [1, 2, 3]), gzip: true).Message);
        Assert.Contains("magic 2051", Fails(TestIdx.Bytes(2051, [2, 3, 4], Pixels), gzip: false, labels: true).Message);
    }

    [Fact]
    public void CorruptGzipIsAnError()
    {
        var path = Path.Combine(TestIdx.TempDir(), "images.gz");
        TestIdx.Write(path, TestIdx.Bytes(2051, [2, 3, 4], Pixels), gzip: true);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]); // cut the gzip stream in half
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}

using System.Buffers.Binary;
using System.IO.Compression;

namespace RecurrentAE.Tests.Data;

/// <summary>Writes small IDX files (and synthetic Fashion-MNIST directories) for tests.</summary>
internal static class TestIdx
{
    public static byte[] Bytes(int magic, int[] dims, byte[] values)
    {
        var bytes = new byte[4 + 4 * dims.Length + values.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        values.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    public static void Write(string path, byte[] bytes, bool gzip)
    {
        if (!gzip) { File.WriteAllBytes(path, bytes); return; }
        using var file = File.Create(path);
        using var z = new GZipStream(file, CompressionLevel.Fastest);
        z.Write(bytes);
    }

    /// <summary>Pixel i of image n is (n + i) % 256; label of image n is n % 10.</summary>
    public static byte Pixel(int image, int index) => (byte)((image + index) % 256);

    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "rae-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>A Fashion-MNIST-shaped directory with <paramref name="count"/> training images (and optionally a test set).</summary>
    public static string FashionDirectory(int count, int rows = 28, int cols = 28, bool gzip = false, int testCount = 0)
    {
        var dir = TempDir();
        WriteSet(dir, "train", count, rows, cols, gzip);
        if (testCount > 0) WriteSet(dir, "t10k", testCount, rows, cols, gzip);
        return dir;
    }

    static void WriteSet(string dir, string prefix, int count, int rows, int cols, bool gzip)
    {
        var pixels = new byte[count * rows * cols];
        for (int n = 0; n < count; n++)
            for (int i = 0; i < rows * cols; i++) pixels[n * rows * cols + i] = Pixel(n, i);
        var labels = new byte[count];
        for (int n = 0; n < count; n++) labels[n] = (byte)(n % 10);
        string ext = gzip ? ".gz" : "";
        Write(Path.Combine(dir, $"{prefix}-images-idx3-ubyte{ext}"), Bytes(2051, [count, rows, cols], pixels), gzip);
        Write(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte{ext}"), Bytes(2049, [count], labels), gzip);
    }
}

using System.Globalization;
using System.Text;

namespace RecurrentAE.Tests.Series;

/// <summary>Tiny CSV and NPY files for the series tests.</summary>
internal static class SeriesFiles
{
    public static string Write(string text, string name = "data.csv")
    {
        var path = Path.Combine(TestIdx.TempDir(), name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>A .npy file (format 1.0) of float32 or float64 values with the given shape.</summary>
    public static byte[] Npy(double[] values, int[] shape, bool float64, string magic = "\u0093NUMPY")
    {
        string dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        string header = $"{{'descr': '{(float64 ? "<f8" : "<f4")}', 'fortran_order': False, 'shape': ({dims}), }}";
        int total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";
        var bytes = new List<byte>();
        bytes.AddRange(Encoding.Latin1.GetBytes(magic));
        bytes.Add(1); bytes.Add(0);
        bytes.AddRange(BitConverter.GetBytes((ushort)header.Length));
        bytes.AddRange(Encoding.Latin1.GetBytes(header));
        foreach (var v in values) bytes.AddRange(float64 ? BitConverter.GetBytes(v) : BitConverter.GetBytes((float)v));
        return [.. bytes];
    }

    public static string WriteNpy(double[] values, int[] shape, bool float64)
    {
        var path = Path.Combine(TestIdx.TempDir(), "data.npy");
        File.WriteAllBytes(path, Npy(values, shape, float64));
        return path;
    }

    /// <summary>Noisy sines of <paramref name="length"/> steps (lengths vary when <paramref name="ragged"/>), one a row,
    /// optionally with a label column; the row at <paramref name="anomaly"/> gets a huge spike and the label 'anomaly'.</summary>
    public static string Sines(int count, int length, bool labels, int anomaly = -1, bool ragged = false, int seed = 1)
    {
        var r = new Random(seed);
        var sb = new StringBuilder(labels ? "label,values\n" : "");
        for (int i = 0; i < count; i++)
        {
            int len = ragged ? length - r.Next(length / 2) : length;
            double phase = r.NextDouble() * 6.28, amplitude = 1 + r.NextDouble();
            var v = Enumerable.Range(0, len).Select(t => amplitude * Math.Sin(t * 0.8 + phase) + 0.05 * (r.NextDouble() - 0.5)).ToArray();
            if (i == anomaly) v[len / 2] += 40;
            if (labels) sb.Append(i == anomaly ? "anomaly," : "normal,");
            sb.AppendJoin(',', v.Select(x => x.ToString("F4", CultureInfo.InvariantCulture))).Append('\n');
        }
        return sb.ToString();
    }
}

using System.Globalization;

namespace RecurrentAE.Model.Data;

/// <summary>
/// A long series as read from a file: <see cref="Rows"/> rows of <see cref="Features"/> values (row-major), the names of
/// its feature columns, its timestamps when it has a time column (UTC when the text carried an offset), and how many
/// empty or NaN cells were filled (<see cref="MissingValues"/>).
/// </summary>
public sealed record TimeSeries(string Name, float[] Values, int Rows, int Features, string[] Columns, string? TimeColumn,
    DateTime[]? Timestamps, int FilledCells)
{
    /// <summary>Row <paramref name="row"/>'s label in outputs: its timestamp (<see cref="FormatTime"/>), else its index.</summary>
    public string RowLabel(int row) => Timestamps is null ? row.ToString(CultureInfo.InvariantCulture) : FormatTime(Timestamps[row]);

    /// <summary><c>yyyy-MM-dd HH:mm:ss</c>, with the fraction of a second when there is one.</summary>
    public static string FormatTime(DateTime t) =>
        t.ToString(t.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
}

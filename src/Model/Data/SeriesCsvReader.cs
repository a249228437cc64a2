using System.Globalization;

namespace RecurrentAE.Model.Data;

/// <summary>Which columns of a series CSV to read: the time column's name (null: a column named <c>timestamp</c> if there
/// is one) and the feature columns (null: every other column).</summary>
public sealed record SeriesReadOptions(string? TimeColumn = null, IReadOnlyList<string>? Columns = null);

/// <summary>
/// One long series from CSV: a header row of column names, then one row a time step, comma-separated. An optional time
/// column (ISO 8601 or <c>yyyy-MM-dd HH:mm:ss</c>, never decreasing: a repeated time, such as a clock change's hour, is allowed) and one or more numeric feature columns. Blank
/// lines and lines starting with <c>#</c> are skipped; fields may be wrapped in double quotes (no commas inside). Empty,
/// NaN, NA and null cells are missing and filled by <see cref="MissingValues"/>. Every error names the line.
/// </summary>
public static class SeriesCsvReader
{
    /// <summary>The column name taken as the time column when none is given.</summary>
    public const string DefaultTimeColumn = "timestamp";

    static readonly string[] TimeFormats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm", "yyyy-MM-dd",
        "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm",
        "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd HH:mm:ssK",
    ];

    /// <summary>Reads a file; a missing file throws <see cref="FileNotFoundException"/>, a malformed one <see cref="DataFormatException"/>.</summary>
    public static TimeSeries Read(string path, SeriesReadOptions? options = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file");
        using var reader = new StreamReader(path);
        return Read(reader, path, options);
    }

    /// <summary>Reads from <paramref name="reader"/>; <paramref name="name"/> goes into error messages.</summary>
    public static TimeSeries Read(TextReader reader, string name, SeriesReadOptions? options = null)
    {
        options ??= new SeriesReadOptions();
        using var lines = CsvRows.Read(reader).GetEnumerator();
        if (!lines.MoveNext()) throw new DataFormatException($"{name}: empty file (a series needs a header row of column names, then one row a time step)");
        int headerLine = lines.Current.Line;
        string[] header = [.. lines.Current.Fields.Select(Unquote)];
        var (timeIndex, featureIndices) = Columns(header, options, name, headerLine);
        int features = featureIndices.Length;

        var columns = new List<float>[features];
        for (int k = 0; k < features; k++) columns[k] = new List<float>();
        var times = timeIndex >= 0 ? new List<DateTime>() : null;
        int previousLine = 0;
        while (lines.MoveNext())
        {
            var (lineNumber, fields) = lines.Current;
            if (fields.Length != header.Length)
                throw new DataFormatException($"{name}, line {lineNumber}: {fields.Length} cells, the header (line {headerLine}) names {header.Length} columns");
            if (times is not null)
            {
                var text = Unquote(fields[timeIndex]);
                if (!TryParseTime(text, out var time))
                    throw new DataFormatException($"{name}, line {lineNumber}: '{text}' in column '{header[timeIndex]}' is not a timestamp (ISO 8601 or yyyy-MM-dd HH:mm:ss)");
                if (times.Count > 0 && time < times[^1])
                    throw new DataFormatException($"{name}, line {lineNumber}: timestamp '{text}' is before the one on line {previousLine} ({TimeSeries.FormatTime(times[^1])}); rows must be in time order (sort the file by time)");
                times.Add(time);
                previousLine = lineNumber;
            }
            for (int k = 0; k < features; k++)
            {
                var cell = Unquote(fields[featureIndices[k]]);
                columns[k].Add(ParseCell(cell, name, lineNumber, header[featureIndices[k]]));
            }
        }
        int rows = columns[0].Count;
        if (rows == 0) throw new DataFormatException($"{name}: no rows after the header (line {headerLine})");

        var values = new float[(long)rows * features <= Array.MaxLength ? rows * features
            : throw new DataFormatException($"{name}: {rows:N0} rows x {features} columns is too many values")];
        for (int k = 0; k < features; k++)
        {
            var column = columns[k];
            for (int r = 0; r < rows; r++) values[r * features + k] = column[r];
            columns[k] = null!; // let the column go before the next is copied
        }
        int filled = 0;
        for (int k = 0; k < features; k++)
        {
            int n = MissingValues.FillColumn(values, rows, features, k);
            if (n < 0) throw new DataFormatException($"{name}: column '{header[featureIndices[k]]}' has no value at all (every cell is empty or NaN)");
            filled += n;
        }
        return new TimeSeries(name, values, rows, features, [.. featureIndices.Select(i => header[i])],
            timeIndex >= 0 ? header[timeIndex] : null, times?.ToArray(), filled);
    }

    /// <summary>Parses ISO 8601 or <c>yyyy-MM-dd HH:mm:ss</c> (fractions of a second allowed); times with an offset are made UTC.</summary>
    public static bool TryParseTime(string text, out DateTime time) =>
        DateTime.TryParseExact(text, TimeFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out time);

    static (int Time, int[] Features) Columns(string[] header, SeriesReadOptions options, string name, int line)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal); // not pairwise: a hostile header can have 10^5 columns
        foreach (var column in header)
            if (!seen.Add(column)) throw new DataFormatException($"{name}, line {line}: column '{column}' appears twice in the header");
        int time;
        if (options.TimeColumn is { } tc)
        {
            time = Array.IndexOf(header, tc);
            if (time < 0) throw new DataFormatException($"{name}, line {line}: no column '{tc}' (--time-column) in the header ({string.Join(", ", header)})");
        }
        else time = Array.FindIndex(header, h => h.Equals(DefaultTimeColumn, StringComparison.OrdinalIgnoreCase));

        int[] features;
        if (options.Columns is { Count: > 0 } wanted)
        {
            features = new int[wanted.Count];
            for (int k = 0; k < wanted.Count; k++)
            {
                features[k] = Array.IndexOf(header, wanted[k]);
                if (features[k] < 0) throw new DataFormatException($"{name}, line {line}: no column '{wanted[k]}' (--columns) in the header ({string.Join(", ", header)})");
                if (features[k] == time) throw new DataFormatException($"{name}: column '{wanted[k]}' is the time column, not a feature");
            }
        }
        else features = [.. Enumerable.Range(0, header.Length).Where(i => i != time)];
        if (features.Length == 0) throw new DataFormatException($"{name}, line {line}: no value column besides the time column '{header[time]}'");
        return (time, features);
    }

    static float ParseCell(string cell, string name, int line, string column)
    {
        if (cell.Length == 0 || cell.Equals("nan", StringComparison.OrdinalIgnoreCase) || cell.Equals("na", StringComparison.OrdinalIgnoreCase)
            || cell.Equals("null", StringComparison.OrdinalIgnoreCase))
            return float.NaN;
        if (!float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !float.IsFinite(v))
            throw new DataFormatException($"{name}, line {line}, column '{column}': '{cell}' is not a finite number");
        return v;
    }

    static string Unquote(string field)
    {
        var f = field.Trim();
        return f.Length >= 2 && f[0] == '"' && f[^1] == '"' ? f[1..^1].Trim() : f;
    }
}

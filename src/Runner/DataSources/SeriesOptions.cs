using System.CommandLine;
using RecurrentAE.Runner.Commands;

namespace RecurrentAE.Runner.DataSources;

/// <summary>What the series flags asked for (null: the default, or the checkpoint's when resuming or scoring).</summary>
internal sealed record SeriesSettings(int? Window = null, int? Stride = null, string? TimeColumn = null, string[]? Columns = null)
{
    /// <summary>The reader's column choice.</summary>
    public SeriesReadOptions ReadOptions => new(TimeColumn, Columns);
}

/// <summary>
/// The long-series flags of <c>rae train</c> and <c>rae score</c>: --series FILE, and for train --window, --stride,
/// --time-column and --columns (score takes them from the model). The help states every default and the missing-value rule.
/// </summary>
internal sealed class SeriesOptions
{
    public const string MissingRule = "Empty, NaN, NA and null cells are filled by linear interpolation between the nearest values above and below in the same column (the nearest value at the start or end); their count is reported; a column with no value is an error";

    public Option<string?> Series { get; } = new("--series")
    {
        Description = "One long series from a CSV file with a header: an optional time column (ISO 8601 or yyyy-MM-dd HH:mm:ss, in time order, repeats allowed; " +
            "'timestamp' or --time-column) and one or more numeric columns, the features (all, or --columns). " + MissingRule +
            ". Training cuts it into windows (--window, --stride); the last --valid-fraction of the rows in time validate; mse on columns standardised with the training rows",
    };

    public Option<int?> Window { get; } = new("--window")
    {
        Description = $"With --series: rows a window (default: the series' dominant period by autocorrelation, clamped to {SeriesDefaults.MinWindow}-{SeriesDefaults.MaxWindow} and to a quarter of the training rows; {SeriesDefaults.FallbackWindow} when it has none)",
    };

    public Option<int?> Stride { get; } = new("--stride")
    {
        Description = $"With --series: rows between training windows (default: about {SeriesDefaults.TargetWindows:N0} windows, at least 1 and at most a quarter window); the last window always ends at the last row. Scoring uses windows every eighth of a window",
    };

    public Option<string?> TimeColumn { get; } = new("--time-column") { Description = $"With --series: the time column's name (default: '{SeriesCsvReader.DefaultTimeColumn}' if there is one; else rows are numbered)" };

    public Option<string?> Columns { get; } = new("--columns") { Description = "With --series: the feature columns, comma-separated (default: every column but the time column)" };

    public SeriesOptions()
    {
        Window.Validators.Add(r => { if (CommonOptions.TryValue<int?>(r, out var v) && v is < 2) r.AddError("--window must be at least 2"); });
        Stride.Validators.Add(r => { if (CommonOptions.TryValue<int?>(r, out var v) && v is < 1) r.AddError("--stride must be at least 1"); });
    }

    IEnumerable<Option> Tuning => [Window, Stride, TimeColumn, Columns];

    /// <summary>Adds --series and, when <paramref name="training"/>, the window flags.</summary>
    public void AddTo(Command command, bool training)
    {
        command.Options.Add(Series);
        if (training) foreach (var o in Tuning) command.Options.Add(o);
    }

    /// <summary>The --series source, or <paramref name="other"/> (another named source or none); naming both, or the
    /// window flags without --series (unless <paramref name="resuming"/>: then they are checked against the run), is a usage error.</summary>
    public DataSource? Apply(DataSource? other, ParseResult parse, bool training, bool resuming = false)
    {
        var path = parse.GetValue(Series);
        var given = training ? Tuning.Where(o => parse.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList() : [];
        if (path is null && (given.Count == 0 || other is not null || !resuming))
        {
            if (given.Count > 0) throw new UsageException($"{string.Join(", ", given)} appl{(given.Count == 1 ? "ies" : "y")} to --series only");
            return other;
        }
        if (other is not null) throw new UsageException($"give one data source: --series or {other.Flag}");
        if (!training) return new DataSource(DataInfo.SeriesKind, path, null);
        var columns = parse.GetValue(Columns) is string c ? c.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : null;
        if (columns is { Length: 0 }) throw new UsageException("--columns needs at least one column name");
        return new DataSource(DataInfo.SeriesKind, path, null, Series: new SeriesSettings(parse.GetValue(Window), parse.GetValue(Stride), parse.GetValue(TimeColumn), columns));
    }
}

using RecurrentAE.Model.Analysis;

namespace RecurrentAE.Runner.DataSources;

/// <summary>A series read for training: the whole table (standardised in place) and its training and validation windows.</summary>
internal sealed record SeriesParts(TimeSeries Table, SeriesWindows Train, SeriesWindows Valid)
{
    /// <summary><paramref name="count"/> windows spread over the validation part (the training part when there is none), materialised for a plot.</summary>
    public SequenceDataset Sample(int count)
    {
        var from = Valid.Count > 0 ? Valid : Train;
        count = Math.Min(count, from.Count);
        int w = from.Window, f = from.Features;
        var values = new float[count * w * f];
        for (int i = 0; i < count; i++)
        {
            int index = count == 1 ? 0 : (int)((long)i * (from.Count - 1) / (count - 1));
            from.Segment.Slice(from.StartOf(index) * f, w * f).CopyTo(values.AsSpan(i * w * f));
        }
        return new SequenceDataset(values, count, w, f);
    }
}

/// <summary>
/// <c>--series</c>: one long series read (<see cref="SeriesCsvReader"/>), split in time (the last --valid-fraction of the
/// rows validate; no window crosses the split), standardised per column with the training rows, and cut into windows
/// (<see cref="SeriesWindows"/>) with the flags' or the measured defaults (<see cref="SeriesDefaults"/>).
/// </summary>
internal static class SeriesData
{
    /// <summary>The training data of a series run; when resuming, the checkpoint fixes the columns, window, strides and standardisation.</summary>
    public static TrainingData LoadTraining(DataSource source, double? validFraction, OutputHead? head, Checkpoint? resumed)
    {
        if (head is not null and not OutputHead.Linear)
            throw new UsageException("--series trains with --loss mse (the columns are standardised)");
        var asked = source.Series ?? new SeriesSettings();
        var stored = resumed?.Data.Series;
        if (stored is not null)
        {
            if (asked.Window is int w && w != stored.Window) throw new UsageException($"--window cannot change when resuming (the run uses {stored.Window})");
            if (asked.Stride is int s && s != stored.Stride) throw new UsageException($"--stride cannot change when resuming (the run uses {stored.Stride})");
            if (asked.Columns is not null && !asked.Columns.SequenceEqual(stored.Columns)) throw new UsageException("--columns cannot change when resuming");
            if (asked.TimeColumn is not null && asked.TimeColumn != stored.TimeColumn) throw new UsageException("--time-column cannot change when resuming");
            asked = new SeriesSettings(stored.Window, stored.Stride, stored.TimeColumn, stored.Columns);
        }
        var table = Read(source, asked.ReadOptions);
        if (stored is not null && !table.Columns.SequenceEqual(stored.Columns))
            throw new DataFormatException($"{source.Path}: columns {string.Join(",", table.Columns)}, the run was trained on {string.Join(",", stored.Columns)}");

        double fraction = validFraction ?? TrainingDefaults.ValidFraction;
        if (!(fraction >= 0 && fraction < 1)) throw new UsageException($"--valid-fraction must be in [0, 1), not {fraction.ToString(CultureInfo.InvariantCulture)}");
        int rows = table.Rows, f = table.Features;
        int validRows = (int)Math.Round(fraction * rows);
        int? period = asked.Window is null ? DominantPeriod.Estimate(table.Values, rows - validRows, f) : null;
        int window = asked.Window ?? SeriesDefaults.Window(period, rows - validRows);
        if (rows < window)
            throw new DataFormatException($"{source.Path}: {rows:N0} rows, shorter than one window of {window} rows (give a smaller --window)");
        if (fraction > 0 && validRows < window) validRows = rows - window >= window ? window : 0; // a validation part holds at least one window
        int trainRows = rows - validRows;
        int stride = asked.Stride ?? SeriesDefaults.Stride(trainRows, window);

        var scaler = resumed?.Data.Standardizer ?? Standardizer.Fit(table.Values.AsSpan(0, trainRows * f), f);
        scaler.ApplyInPlace(table.Values);
        var train = new SeriesWindows(table.Values, f, 0, trainRows, window, stride);
        var valid = new SeriesWindows(table.Values, f, trainRows, validRows, window, SeriesDefaults.ValidStride(validRows, window, stride));
        var series = stored ?? new SeriesInfo(window, stride, SeriesDefaults.ScoreStride(window), SeriesDefaults.Smoothing(window),
            SeriesDefaults.EventGap(window), table.Columns, table.TimeColumn);
        var info = new DataInfo(DataInfo.SeriesKind, f, Source: Path.GetFullPath(source.Path!), ValidFraction: fraction, Series: series)
            .WithStandardizer(scaler);
        string windowWhy = asked.Window is not null ? "" : period is int p ? $" (period {p} by autocorrelation)" : " (no dominant period)";
        string description = string.Create(CultureInfo.InvariantCulture,
            $"{Describe(table)}; windows of {window} rows{windowWhy} every {stride}: {train.Count:N0} training / {valid.Count:N0} validation windows " +
            $"(the last {validRows:N0} rows{(valid.Count > 0 && valid.Stride != stride ? $", every {valid.Stride}" : "")}); loss mse, standardised per column");
        var empty = new SequenceDataset([], 0, window, f);
        return new TrainingData(empty, empty, info, OutputHead.Linear, description) { Series = new SeriesParts(table, train, valid) };
    }

    /// <summary>The series' rows, columns and filled cells, for the first line of a command.</summary>
    public static string Describe(TimeSeries t)
    {
        string time = t.TimeColumn is null ? "" : $"; time '{t.TimeColumn}'";
        string filled = t.FilledCells > 0 ? string.Create(CultureInfo.InvariantCulture, $", {t.FilledCells:N0} empty/NaN cells interpolated") : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{t.Rows:N0} rows x {t.Features} column{(t.Features == 1 ? "" : "s")} ({string.Join(", ", t.Columns)}{time}) from {t.Name}{filled}");
    }

    /// <summary>The threshold: the <see cref="SeriesDefaults.ThresholdPercentile"/>th percentile of the point scores of the last
    /// <see cref="SeriesDefaults.ThresholdRows"/> training rows (all of them in a shorter series).</summary>
    public static double Threshold(RecurrentAutoencoder model, SeriesParts parts, SeriesInfo series)
    {
        var train = parts.Train;
        int rows = Math.Min(train.Rows, SeriesDefaults.ThresholdRows);
        var tail = new SeriesWindows(train.Values, train.Features, train.FirstRow + train.Rows - rows, rows, train.Window, series.ScoreStride);
        return AnomalyStatistics.Percentile(SeriesScoring.Score(model, tail, series.Smoothing), SeriesDefaults.ThresholdPercentile);
    }

    /// <summary>Reads a series file for a trained model: its columns, standardised as in training.</summary>
    public static TimeSeries ReadForModel(DataSource source, DataInfo info)
    {
        var series = info.Series ?? throw new UsageException($"--series needs a model trained with --series (this one was trained on {info.Kind} data)");
        var table = Read(source, new SeriesReadOptions(series.TimeColumn, series.Columns));
        if (table.Rows < series.Window)
            throw new DataFormatException($"{source.Path}: {table.Rows:N0} rows, shorter than the model's window of {series.Window} rows");
        info.Standardizer?.ApplyInPlace(table.Values);
        return table;
    }

    /// <summary>Reads the file: a missing one is a usage error, a malformed one a data error naming the line.</summary>
    static TimeSeries Read(DataSource source, SeriesReadOptions options)
    {
        var path = source.Path ?? throw new UsageException("--series needs a file");
        if (!File.Exists(path))
            throw new UsageException(Directory.Exists(path) ? $"--series {path}: is a directory, not a file" : $"--series {path}: no such file");
        return SeriesCsvReader.Read(path, options);
    }
}

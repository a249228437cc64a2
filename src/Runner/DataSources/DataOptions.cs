using System.CommandLine;
using RecurrentAE.Runner.Commands;

namespace RecurrentAE.Runner.DataSources;

/// <summary>Where a command's sequences come from: Fashion-MNIST (Directory = --data or null to search), or a file.</summary>
internal sealed record DataSource(string Kind, string? Path, int? Features, TextSettings? Text = null, SeriesSettings? Series = null)
{
    public bool IsFashionMnist => Kind == DataInfo.FashionMnistKind;
    public string Flag => "--" + Kind;

    public static DataSource FashionMnist(string? directory) => new(DataInfo.FashionMnistKind, directory, null);
}

/// <summary>
/// The data-source flags every data-reading command shares (--csv FILE, --npy FILE, --features D, --data DIR) and
/// reading a file source. A new source (say --text FILE) is one option here, one case in <see cref="ReadFile"/> and
/// its kind name in <see cref="DataInfo"/>.
/// </summary>
internal sealed class DataOptions
{
    public Option<string?> Csv { get; } = new("--csv") { Description = "Sequences from a CSV file: one sequence a row, T x D values step-major; rows may differ in length; an optional header whose first field is 'label' adds a label column" };
    public Option<string?> Npy { get; } = new("--npy") { Description = "Sequences from a NumPy .npy file: float32/float64, shape [N, T, D] or [N, T]" };
    public Option<int?> Features { get; } = new("--features") { Description = "Features a step in the --csv rows (default: 1 for train, the model's for other commands)" };
    public Option<string?> FashionData { get; } = CommonOptions.Data();
    public Option<string?> Text { get; } = new("--text") { Description = "Lines of UTF-8 text, one sequence a line (a character-level model with a softmax head; empty lines are skipped)" };

    public DataOptions()
    {
        Features.Validators.Add(r => { if (CommonOptions.TryValue<int?>(r, out var v) && v is < 1) r.AddError("--features must be at least 1"); });
    }

    public IEnumerable<Option> All => [Csv, Npy, Features, FashionData, Text];

    public void AddTo(Command command)
    {
        foreach (var o in All) command.Options.Add(o);
    }

    /// <summary>The source the flags name; null when none was named (the command decides: Fashion-MNIST or the model's data).</summary>
    public DataSource? Resolve(ParseResult parse)
    {
        string? csv = parse.GetValue(Csv), npy = parse.GetValue(Npy), data = parse.GetValue(FashionData), text = parse.GetValue(Text);
        int? features = parse.GetValue(Features);
        int named = (csv is null ? 0 : 1) + (npy is null ? 0 : 1) + (data is null ? 0 : 1) + (text is null ? 0 : 1);
        if (named > 1) throw new UsageException("give one data source: --csv FILE, --npy FILE, --text FILE or --data DIR (Fashion-MNIST)");
        if (features is not null && csv is null)
            throw new UsageException("--features applies to --csv only (an .npy file carries its own shape)");
        if (csv is not null) return new DataSource(DataInfo.CsvKind, csv, features);
        if (npy is not null) return new DataSource(DataInfo.NpyKind, npy, null);
        if (text is not null) return new DataSource(DataInfo.TextKind, text, null);
        return data is not null ? DataSource.FashionMnist(data) : null;
    }

    /// <summary>
    /// The data for a command that uses a trained model: the named source; else, for a Fashion-MNIST model, its
    /// validation images; else the file the model was trained on, when it is still there.
    /// </summary>
    public static DataSource ForModel(DataSource? named, DataInfo model, string command)
    {
        if (named is not null) return named;
        if (model.IsFashionMnist) return DataSource.FashionMnist(null);
        if (model.Source is not null && File.Exists(model.Source))
            return new DataSource(model.Kind, model.Source, model.Features);
        throw new UsageException($"'{command}' needs {(model.IsText ? "--text FILE" : model.IsSeries ? "--series FILE" : "--csv FILE or --npy FILE")} (the model was trained on {model.Kind} data{(model.Source is null ? "" : $" from {model.Source}, which is gone")})");
    }

    /// <summary>Reads a file source; a missing or malformed file is a one-line usage or data error.</summary>
    public static SequenceDataset ReadFile(DataSource source, int defaultFeatures = 1)
    {
        var path = source.Path ?? throw new UsageException($"{source.Flag} needs a file");
        if (!File.Exists(path))
            throw new UsageException(Directory.Exists(path) ? $"{source.Flag} {path}: is a directory, not a file" : $"{source.Flag} {path}: no such file");
        try
        {
            return source.Kind switch
            {
                DataInfo.CsvKind => CsvSequenceReader.Read(path, source.Features ?? defaultFeatures),
                DataInfo.NpyKind => NpyReader.Read(path),
                DataInfo.SeriesKind => throw new UsageException($"this command reads sequences (--csv FILE or --npy FILE); a long series is scored with 'rae score --series {path}'"),
                _ => throw new UsageException($"unknown data kind '{source.Kind}'"),
            };
        }
        catch (ArgumentException e)
        {
            throw new DataFormatException($"{path}: {e.Message}");
        }
    }

    /// <summary>Reads a file for a trained model and puts it in the model's space (features checked, standardised as in training).</summary>
    public static SequenceDataset ReadForModel(DataSource source, Checkpoint checkpoint)
    {
        if (source.Kind == DataInfo.TextKind || checkpoint.Data.IsText) return TextData.ReadForModel(source, checkpoint).Data;
        var data = ReadFile(source, checkpoint.Spec.Features);
        if (data.Features != checkpoint.Spec.Features)
            throw new DataFormatException($"{source.Path}: {data.Features} features a step, the model was trained on {checkpoint.Spec.Features}{(source.Kind == DataInfo.CsvKind ? " (see --features)" : "")}");
        return checkpoint.Data.Prepare(data);
    }
}

/// <summary>The sequences a command applies a trained model to, in the model's space.</summary>
internal static class ModelData
{
    /// <summary>The IDX images of <c>--data</c> (or the default Fashion-MNIST) for a model trained on images; images of
    /// another width than the model's are a one-line error (a model trained on --data of another size needs that --data).</summary>
    public static FashionMnistData LoadImages(string? directory, Checkpoint checkpoint, bool includeTest = true)
    {
        var fashion = FashionMnist.Load(directory, includeTest);
        int width = fashion.Validation.Features, trained = checkpoint.Spec.Features;
        if (width != trained)
            throw new DataFormatException($"{fashion.Directory}: images {width} pixels wide, the model was trained on images {trained} wide; pass --data with images like those it was trained on (or --csv / --npy)");
        return fashion;
    }

    /// <summary>The named source, or the model's default (<see cref="DataOptions.ForModel"/>): Fashion-MNIST's validation
    /// images with their class names, or a file read and standardised like the training data.</summary>
    public static (SequenceDataset Data, string Description) Load(DataSource? named, Checkpoint checkpoint, string command)
    {
        var source = DataOptions.ForModel(named, checkpoint.Data, command);
        if (source.IsFashionMnist)
        {
            var fashion = LoadImages(source.Path, checkpoint, includeTest: false);
            var v = fashion.Validation;
            var named2 = new SequenceDataset(v.Values, v.Count, v.Steps, v.Features, v.Labels, v.Lengths, [.. FashionMnist.ClassNames]);
            return (named2, $"the {v.Count:N0} Fashion-MNIST validation images in {fashion.Directory}");
        }
        var data = DataOptions.ReadForModel(source, checkpoint);
        return (data, $"{data.Count:N0} sequences from {source.Path}");
    }
}

using RecurrentAE.Model.Data;
using RecurrentAE.Model.Text;

namespace RecurrentAE.Model.Checkpoints;

/// <summary>
/// What a checkpoint needs to read and score new data the way it was trained: the data kind (fashion-mnist, csv, npy),
/// the features a step, the per-feature standardisation (null: the values were used as they are), the label names,
/// the anomaly threshold (the 99th percentile of the training sequences' reconstruction errors, computed when training
/// finished; null before that), and where the training data came from and how it was split (for --resume).
/// Text models (kind text, softmax head) also keep their vocabulary and how long lines were handled (MaxLength: the
/// limit, Truncate: cut rather than dropped). The output head is part of the spec. Checkpoints written before this existed read as <see cref="FashionMnist"/>.
/// </summary>
public sealed record DataInfo(
    string Kind,
    int Features,
    float[]? Mean = null,
    float[]? Std = null,
    string[]? LabelNames = null,
    double? Threshold = null,
    string? Source = null,
    double? ValidFraction = null,
    Vocabulary? Vocabulary = null,
    int? MaxLength = null,
    bool Truncate = false,
    SeriesInfo? Series = null)
{
    public const string FashionMnistKind = "fashion-mnist", CsvKind = "csv", NpyKind = "npy", TextKind = "text";

    /// <summary>The kind of a model trained on windows of one long series (<c>--series</c>); <see cref="Series"/> says how.</summary>
    public const string SeriesKind = "series";

    /// <summary>The percentile of the training errors used as the anomaly threshold.</summary>
    public const double ThresholdPercentile = 99;

    public static DataInfo FashionMnist { get; } = new(FashionMnistKind, 28, LabelNames: [.. Data.FashionMnist.ClassNames]);

    public bool IsFashionMnist => Kind == FashionMnistKind;
    public bool IsText => Kind == TextKind;

    /// <summary>Whether the model was trained on windows of a long series.</summary>
    public bool IsSeries => Kind == SeriesKind;

    public Standardizer? Standardizer => Mean is not null && Std is not null ? new Standardizer(Mean, Std) : null;

    /// <summary>The data in the space the model was trained in (standardised when the model was).</summary>
    public SequenceDataset Prepare(SequenceDataset data) => Standardizer is { } s ? s.Apply(data) : data;

    public DataInfo WithStandardizer(Standardizer? s) => this with { Mean = s?.Mean, Std = s?.Std };

    public bool Equals(DataInfo? other) =>
        other is not null && Kind == other.Kind && Features == other.Features && Threshold == other.Threshold
        && Source == other.Source && ValidFraction == other.ValidFraction
        && Same(Mean, other.Mean) && Same(Std, other.Std) && Same(LabelNames, other.LabelNames)
        && (Vocabulary is null ? other.Vocabulary is null : Vocabulary.Equals(other.Vocabulary))
        && MaxLength == other.MaxLength && Truncate == other.Truncate && Equals(Series, other.Series);

    public override int GetHashCode() => HashCode.Combine(Kind, Features, Threshold, Source);

    static bool Same<T>(T[]? a, T[]? b) => a is null ? b is null : b is not null && a.SequenceEqual(b);
}

using RecurrentAE.Model.Analysis;
using RecurrentAE.Model.Data;
using RecurrentAE.Model.Text;

namespace RecurrentAE.Model.Checkpoints;

/// <summary>
/// What a checkpoint needs to read and score new data the way it was trained: the data kind (fashion-mnist, csv, npy),
/// the features a step, the per-feature standardisation (null: the values were used as they are), the label names,
/// the anomaly threshold (the 99th percentile of the training sequences' reconstruction errors, computed when training
/// finished; null before that), and where the training data came from and how it was split (for --resume).
/// Text models (kind text, softmax head) also keep their vocabulary and how long lines were handled (MaxLength: the
/// limit, Truncate: cut rather than dropped). Score: the sequence-score rule (<see cref="SequenceScore"/>'s text form) the
/// threshold is computed with; null in checkpoints written before rules existed, whose thresholds used the plain mean
/// (<see cref="ScoreRule"/> reads it). The output head is part of the spec. Checkpoints written before this existed read as <see cref="FashionMnist"/>.
/// </summary>
/// <param name="Kind">The data kind: one of the <c>*Kind</c> constants.</param>
/// <param name="Features">Values a step.</param>
/// <param name="Mean">The standardisation's per-feature mean; null: not standardised.</param>
/// <param name="Std">The standardisation's per-feature deviation.</param>
/// <param name="LabelNames">Names of the label values, when known.</param>
/// <param name="Threshold">The anomaly threshold; null until training finished.</param>
/// <param name="Source">The training file's full path (for resuming).</param>
/// <param name="ValidFraction">The fraction of the sequences held out for validation.</param>
/// <param name="Vocabulary">A text model's vocabulary.</param>
/// <param name="MaxLength">A text model's maximum line length.</param>
/// <param name="Truncate">A text model cut long lines rather than dropping them.</param>
/// <param name="Series">A long-series model's windowing, columns and time column (kind <c>series</c>).</param>
/// <param name="Score">The sequence-score rule the threshold was computed with (text form); null: the plain mean.</param>
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
    SeriesInfo? Series = null,
    string? Score = null)
{
    /// <summary>The data kinds: <c>fashion-mnist</c>, <c>csv</c>, <c>npy</c>, <c>text</c>.</summary>
    public const string FashionMnistKind = "fashion-mnist", CsvKind = "csv", NpyKind = "npy", TextKind = "text";

    /// <summary>The kind of a model trained on windows of one long series (<c>--series</c>); <see cref="Series"/> says how.</summary>
    public const string SeriesKind = "series";

    /// <summary>The percentile of the training errors used as the anomaly threshold.</summary>
    public const double ThresholdPercentile = 99;

    /// <summary>The reference data: Fashion-MNIST, 28 features, its class names.</summary>
    public static DataInfo FashionMnist { get; } = new(FashionMnistKind, 28, LabelNames: [.. Data.FashionMnist.ClassNames]);

    /// <summary>True for the Fashion-MNIST kind.</summary>
    public bool IsFashionMnist => Kind == FashionMnistKind;
    /// <summary>True for the text kind (one-hot characters, softmax head).</summary>
    public bool IsText => Kind == TextKind;

    /// <summary>Whether the model was trained on windows of a long series.</summary>
    public bool IsSeries => Kind == SeriesKind;

    /// <summary>The rule <see cref="Threshold"/> is computed with: <see cref="Score"/> read, or the plain mean when none is stored.</summary>
    public SequenceScore ScoreRule => Score is null ? SequenceScore.PlainMean : SequenceScore.Parse(Score);

    /// <summary>The per-feature standardisation, or null when the values were used as they are.</summary>
    public Standardizer? Standardizer => Mean is not null && Std is not null ? new Standardizer(Mean, Std) : null;

    /// <summary>The data in the space the model was trained in (standardised when the model was).</summary>
    public SequenceDataset Prepare(SequenceDataset data) => Standardizer is { } s ? s.Apply(data) : data;

    /// <summary>A copy that stores <paramref name="s"/>'s mean and deviation (null: none).</summary>
    public DataInfo WithStandardizer(Standardizer? s) => this with { Mean = s?.Mean, Std = s?.Std };

    /// <summary>Equal when every field is (arrays and the vocabulary compared by content).</summary>
    public bool Equals(DataInfo? other) =>
        other is not null && Kind == other.Kind && Features == other.Features && Threshold == other.Threshold
        && Source == other.Source && ValidFraction == other.ValidFraction
        && Same(Mean, other.Mean) && Same(Std, other.Std) && Same(LabelNames, other.LabelNames)
        && (Vocabulary is null ? other.Vocabulary is null : Vocabulary.Equals(other.Vocabulary))
        && MaxLength == other.MaxLength && Truncate == other.Truncate && Equals(Series, other.Series) && Score == other.Score;

    /// <summary>A hash consistent with <see cref="Equals(DataInfo)"/>.</summary>
    public override int GetHashCode() => HashCode.Combine(Kind, Features, Threshold, Source);

    static bool Same<T>(T[]? a, T[]? b) => a is null ? b is null : b is not null && a.SequenceEqual(b);
}

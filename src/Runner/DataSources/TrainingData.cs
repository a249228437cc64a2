using RecurrentAE.Model.Analysis;

namespace RecurrentAE.Runner.DataSources;

/// <summary>
/// The training and validation sequences of a run, in the space the model trains in (standardised for mse on real values),
/// the head the data calls for, and the <see cref="DataInfo"/> that goes into the checkpoint.
/// </summary>
internal sealed record TrainingData(SequenceDataset Train, SequenceDataset Valid, DataInfo Info, OutputHead Head, string Description)
{
    /// <summary>With --series: the series and its windows (<see cref="Train"/> and <see cref="Valid"/> are then empty).</summary>
    public SeriesParts? Series { get; init; }

    /// <summary>The training items resident on the model's device (the series' training windows, or the sequences).</summary>
    public DeviceDataset UploadTrain(RecurrentAutoencoder model) => Series is { } s ? model.Upload(s.Train) : model.Upload(Train);

    /// <summary>The validation items resident on the model's device.</summary>
    public DeviceDataset UploadValid(RecurrentAutoencoder model) => Series is { } s ? model.Upload(s.Valid) : model.Upload(Valid);

    /// <summary>The anomaly threshold stored at the end of training: over the training sequences' errors, or the training points' scores of a series.</summary>
    public double ThresholdOf(RecurrentAutoencoder model) =>
        Series is { } s ? SeriesData.Threshold(model, s, Info.Series!) : Threshold(model, Train);

    /// <summary>How <see cref="ThresholdOf"/> is found, for the end of training.</summary>
    public string ThresholdRule => Series is null
        ? $"{DataInfo.ThresholdPercentile}th percentile of the training errors"
        : $"{SeriesDefaults.ThresholdPercentile}th percentile of the training rows' point scores";

    /// <summary>What reconstructions.png shows: the validation sequences (else the training ones), or a few windows of a series.</summary>
    public SequenceDataset PlotSample => Series is { } s ? s.Sample(4) : Valid.Count > 0 ? Valid : Train;

    /// <summary>
    /// Fashion-MNIST: the reference split (the first 5,000 training images validate), bce. A file: the last
    /// <paramref name="validFraction"/> of its sequences validate; the loss is bce on data within [0, 1] (unchanged),
    /// otherwise mse on data standardised per feature with the training part's mean and deviation. When resuming,
    /// <paramref name="resumed"/> fixes the source, split, head and standardisation.
    /// </summary>
    public static TrainingData Load(DataSource? source, double? validFraction, OutputHead? head, Checkpoint? resumed)
    {
        if (resumed is not null)
        {
            var info = resumed.Data;
            source ??= info.IsFashionMnist ? DataSource.FashionMnist(null)
                : info.Source is not null ? new DataSource(info.Kind, info.Source, info.Features)
                : throw new UsageException($"name the training data again (--{info.Kind} FILE) to resume");
            if (source.Path is null && source.Kind == DataInfo.SeriesKind) source = source with { Path = info.Source }; // window flags alone, checked against the run
            if (source.Kind != info.Kind)
                throw new UsageException($"the run was trained on {info.Kind} data, not {source.Kind}; resume with the same data");
            if (validFraction is not null && validFraction != (info.ValidFraction ?? TrainingDefaults.ValidFraction))
                throw new UsageException("--valid-fraction cannot change when resuming");
            if (head is not null && head != resumed.Spec.Head)
                throw new UsageException("--loss cannot change when resuming");
            head = resumed.Spec.Head;
            validFraction = info.ValidFraction;
        }
        source ??= DataSource.FashionMnist(null);
        if (source.Kind == DataInfo.TextKind) return TextData.LoadTraining(source, validFraction, head, resumed);
        if (source.Kind == DataInfo.SeriesKind) return SeriesData.LoadTraining(source, validFraction, head, resumed);

        if (source.IsFashionMnist)
        {
            if (validFraction is not null && resumed is null)
                throw new UsageException("--valid-fraction applies to --csv and --npy (Fashion-MNIST keeps the reference split: the first 5,000 images validate)");
            if (head is OutputHead.Linear)
                throw new UsageException("Fashion-MNIST trains with --loss bce (its pixels are in [0, 1])");
            var fashion = FashionMnist.Load(source.Path, includeTest: false); // training never reads the test set
            // Images of another size than 28 x 28 train too: a step is a row, its features the row's pixels.
            return new TrainingData(fashion.Train, fashion.Validation, DataInfo.FashionMnist with { Features = fashion.Train.Features }, OutputHead.Sigmoid,
                $"{fashion.Train.Count:N0} training / {fashion.Validation.Count:N0} validation sequences from {fashion.Directory}");
        }

        var all = DataOptions.ReadFile(source);
        double fraction = validFraction ?? TrainingDefaults.ValidFraction;
        if (!(fraction >= 0 && fraction < 1)) throw new UsageException($"--valid-fraction must be in [0, 1), not {fraction.ToString(CultureInfo.InvariantCulture)}");
        int validCount = TrainingDefaults.ValidCount(all.Count, fraction);
        int trainCount = all.Count - validCount;
        if (trainCount < 1)
            throw new DataFormatException($"{source.Path}: {all.Count} sequence(s), too few to hold out {fraction.ToString(CultureInfo.InvariantCulture)} for validation");
        var train = all.Take(0, trainCount);
        var valid = all.Take(trainCount, validCount);

        bool unit = InUnitInterval(all);
        var chosen = head ?? (unit ? OutputHead.Sigmoid : OutputHead.Linear);
        if (chosen == OutputHead.Sigmoid && !unit)
            throw new UsageException($"--loss bce needs values in [0, 1]; {source.Path} has others (use --loss mse, which standardises)");
        if (chosen == OutputHead.Softmax) throw new UsageException("--loss takes bce or mse");
        var scaler = resumed?.Data.Standardizer ?? (chosen == OutputHead.Linear ? Standardizer.Fit(train) : null);
        if (scaler is not null && scaler.Mean.Length != all.Features)
            throw new DataFormatException($"{source.Path}: {all.Features} features a step, the run was trained on {scaler.Mean.Length}");
        if (scaler is not null)
        {
            train = scaler.Apply(train);
            valid = scaler.Apply(valid);
        }
        var info2 = new DataInfo(source.Kind, all.Features, LabelNames: all.LabelNames, Source: Path.GetFullPath(source.Path!), ValidFraction: fraction,
            Score: SequenceScore.Default.ToString()).WithStandardizer(scaler);
        string lengths = all.IsRagged ? $"lengths {all.Lengths!.Min()}-{all.Lengths!.Max()}" : $"length {all.Steps}";
        return new TrainingData(train, valid, info2, chosen,
            $"{train.Count:N0} training / {valid.Count:N0} validation sequences ({lengths}, {all.Features} feature{(all.Features == 1 ? "" : "s")}) from {source.Path}; " +
            $"loss {AutoencoderSpec.HeadName(chosen)}{(scaler is null ? "" : ", standardised per feature")}");
    }

    static bool InUnitInterval(SequenceDataset data)
    {
        for (int s = 0; s < data.Count; s++)
        {
            var seq = data.Sequence(s)[..(data.LengthOf(s) * data.Features)];
            foreach (float v in seq) if (v < 0f || v > 1f) return false;
        }
        return true;
    }

    /// <summary>The anomaly threshold: the <see cref="DataInfo.ThresholdPercentile"/>th percentile of the training
    /// sequences' scores under <paramref name="rule"/> (default <see cref="SequenceScore.Default"/>, the rule
    /// <see cref="Load"/> records in <see cref="DataInfo.Score"/>).</summary>
    public static double Threshold(RecurrentAutoencoder model, SequenceDataset train, SequenceScore? rule = null) =>
        AnomalyStatistics.Percentile((rule ?? SequenceScore.Default).Of(model.StepErrors(train), train), DataInfo.ThresholdPercentile);
}

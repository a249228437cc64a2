using System.CommandLine;

namespace RecurrentAE.Runner.Training;

/// <summary>The training settings a command line named (null: not named), before the data kind's defaults fill the rest.
/// EarlyStoppingPatience 0 and ClipNorm 0 mean "off".</summary>
internal sealed record TrainingOverrides(int? Epochs = null, int? BatchSize = null, float? LearningRate = null, int? Seed = null,
    int? MaxStepsPerEpoch = null, float? TeacherForcingDropout = null, int? EarlyStoppingPatience = null, double? MinDelta = null,
    LearningRateSchedule? Schedule = null, float? MinLearningRate = null, float? PlateauFactor = null, int? PlateauPatience = null,
    int? WarmupSteps = null, float? ClipNorm = null, TimeSpan? TimeLimit = null, float? CropProbability = null,
    float? InputNoise = null, float? InputDropout = null, float? Sparsity = null, float? SparsityWeight = null, float? L1Coding = null,
    float? KlWeight = null, int? KlWarmupEpochs = null, float? SpliceProbability = null,
    bool? BucketByLength = null)
{
    /// <summary>The options: these settings over <paramref name="defaults"/>.</summary>
    public TrainingOptions Over(TrainingOptions defaults) => defaults with
    {
        Epochs = Epochs ?? defaults.Epochs,
        BatchSize = BatchSize ?? defaults.BatchSize,
        LearningRate = LearningRate ?? defaults.LearningRate,
        Seed = Seed ?? defaults.Seed,
        MaxStepsPerEpoch = MaxStepsPerEpoch ?? defaults.MaxStepsPerEpoch,
        TeacherForcingDropout = TeacherForcingDropout ?? defaults.TeacherForcingDropout,
        EarlyStoppingPatience = EarlyStoppingPatience is int p ? (p == 0 ? null : p) : defaults.EarlyStoppingPatience,
        MinDelta = MinDelta ?? defaults.MinDelta,
        Schedule = Schedule ?? defaults.Schedule,
        MinLearningRate = MinLearningRate ?? defaults.MinLearningRate,
        PlateauFactor = PlateauFactor ?? defaults.PlateauFactor,
        PlateauPatience = PlateauPatience ?? defaults.PlateauPatience,
        WarmupSteps = WarmupSteps ?? defaults.WarmupSteps,
        ClipNorm = ClipNorm is float c ? (c == 0 ? null : c) : defaults.ClipNorm,
        TimeLimit = TimeLimit ?? defaults.TimeLimit,
        CropProbability = CropProbability ?? defaults.CropProbability,
        SpliceProbability = SpliceProbability ?? defaults.SpliceProbability,
        BucketByLength = BucketByLength ?? defaults.BucketByLength,
        InputNoise = InputNoise ?? defaults.InputNoise,
        InputDropout = InputDropout ?? defaults.InputDropout,
        Sparsity = Sparsity ?? defaults.Sparsity,
        SparsityWeight = SparsityWeight ?? defaults.SparsityWeight,
        L1Coding = L1Coding ?? defaults.L1Coding,
        KlWeight = KlWeight ?? defaults.KlWeight,
        KlWarmupEpochs = KlWarmupEpochs ?? defaults.KlWarmupEpochs,
    };
}

/// <summary>
/// The flags of every training setting, and turning what was named into <see cref="TrainingOverrides"/>. The flags only
/// parse: <see cref="TrainingOptions.Validate"/> owns the ranges, and <see cref="Validate"/> names the flag in its message.
/// </summary>
internal sealed class TrainingFlags
{
    static string F(double v) => v.ToString(CultureInfo.InvariantCulture);
    static string F(float v) => v.ToString(CultureInfo.InvariantCulture);
    static string Patience(TrainingOptions o) => o.EarlyStoppingPatience?.ToString(CultureInfo.InvariantCulture) ?? "0 (off)";
    static string Clip(TrainingOptions o) => o.ClipNorm is float c ? F(c) : "0 (off)";

    public Option<int?> Epochs { get; } = new("--epochs") { Description = $"The epoch cap (default {Describe(o => o.Epochs.ToString(CultureInfo.InvariantCulture))}, or for --text as many epochs as {TrainingDefaults.TextStepBudget:N0} steps take, up to 300); with --resume: the new total" };
    public Option<int?> BatchSize { get; } = new("--batch-size") { Description = "Batch size (default 32; the last batch of an epoch is the remainder)" };
    public Option<float?> LearningRate { get; } = new("--lr") { Description = $"Adam's (peak) learning rate (default {Describe(o => F(o.LearningRate))})" };
    public Option<int?> Seed { get; } = new("--seed") { Description = "Seed of the initial weights, the shuffling and the training draws (teacher-forcing dropout, input noise and dropout, the variational coding's eps; default 42)" };
    public Option<int?> MaxSteps { get; } = new("--max-steps") { Description = "At most this many steps per epoch (quick runs)" };
    public Option<float?> TeacherForcingDropout { get; } = new("--teacher-forcing-dropout")
    {
        Description = "With teacher forcing: the probability P (0 <= P < 1) that a training step replaces a previous step the decoder sees by zeros, so it learns to lean on the coding and to recover from its own mistakes (default 0.25 for --text, otherwise 0: off)",
    };
    public Option<int?> EarlyStopping { get; } = new("--early-stopping")
    {
        Description = $"Stop after PATIENCE epochs without val_loss improving by more than --min-delta, and end with the best epoch's weights, as Keras EarlyStopping(restore_best_weights=True); the training loss when nothing is held out; 0: off (default {Describe(Patience)})",
    };
    public Option<double?> MinDelta { get; } = new("--min-delta") { Description = "The least decrease of val_loss that counts as an improvement, for --early-stopping and --lr-schedule plateau (default 0)" };
    public Option<string?> Schedule { get; } = new("--lr-schedule")
    {
        Description = $"constant; cosine: half a cosine from --lr down to --min-lr over the epoch cap; plateau: --lr times --plateau-factor after --plateau-patience epochs without improvement, down to --min-lr, as Keras ReduceLROnPlateau (default {Describe(o => o.Schedule.ToString().ToLowerInvariant())})",
    };
    public Option<float?> MinLearningRate { get; } = new("--min-lr") { Description = "The floor of the cosine and plateau schedules (default --lr / 20)" };
    public Option<float?> PlateauFactor { get; } = new("--plateau-factor") { Description = $"With --lr-schedule plateau: the factor, above 0 and below 1 (default {F(TrainingDefaults.Sequences.PlateauFactor)})" };
    public Option<int?> PlateauPatience { get; } = new("--plateau-patience") { Description = $"With --lr-schedule plateau: epochs without improvement before the rate drops (default {TrainingDefaults.Sequences.PlateauPatience} for --csv/--npy, {TrainingDefaults.Reference.PlateauPatience} otherwise)" };
    public Option<int?> Warmup { get; } = new("--warmup") { Description = "Linear warm-up over the first STEPS steps: step s uses (s + 1) / STEPS of the scheduled rate (default 0: off)" };
    public Option<float?> ClipNorm { get; } = new("--clip-norm") { Description = $"Clip every step's gradient to this global norm, as Keras global_clipnorm; 0: off (default {Describe(Clip)})" };
    public Option<string?> TimeLimit { get; } = new("--time-limit")
    {
        Description = "Stop at the end of the first step after DURATION of training (90s, 15m, 1h30m, 2h), with a resumable checkpoint and every output written (the best weights when early stopping is on); it counts from the start of each run or resume (default: none)",
    };

    public Option<float?> Crops { get; } = new("--random-crops")
    {
        Description = $"Random-crop augmentation: each epoch, each training sequence is replaced with probability P (0-1) by a random part of itself at least half as long, so a small file shows the model many more distinct sequences; the threshold and scores use the sequences as given (default {Describe(o => F(o.CropProbability))})",
    };
    public Option<float?> Splices { get; } = new("--random-splices")
    {
        Description = $"Random-splice augmentation: each epoch, each training sequence is replaced with probability P (0-1) by random parts of several training sequences joined (text: runs of whole words joined by a space), as long as a random training sequence; a small text file then shows the model new sentences every epoch. Not for numeric series, whose joins would be jumps (default {Describe(o => F(o.SpliceProbability))})",
    };
    public Option<bool?> Buckets { get; } = new("--bucket-by-length")
    {
        Description = $"Length-bucketed batches for sequences of different lengths: each epoch's shuffled order is sorted by length within runs of {EpochShuffle.BucketBatches} batches, so a batch holds sequences of about one length and runs only to its longest (true or false; default {Describe(o => o.BucketByLength ? "true" : "false")})",
    };
    public Option<float?> InputNoise { get; } = new("--noise") { Description = "Denoising: the deviation of Gaussian noise added to the encoder's inputs in training (Keras GaussianNoise); the loss compares with the clean sequence (default 0: off)" };
    public Option<float?> InputDropout { get; } = new("--input-dropout") { Description = "Denoising: the probability P (0 <= P < 1) that a training step zeroes an input value, the others scaled by 1/(1-P) (Keras Dropout; default 0: off)" };
    public Option<float?> Sparsity { get; } = new("--sparsity") { Description = "A sparse autoencoder: sigmoid codings and a KL-divergence penalty between P (0 < P < 1) and each coding unit's mean activation over the batch (Géron's sparse autoencoder)" };
    public Option<float?> SparsityWeight { get; } = new("--sparsity-weight") { Description = $"With --sparsity: the weight of its KL penalty (default {F(TrainingOptions.DefaultSparsityWeight)})" };
    public Option<float?> L1Coding { get; } = new("--l1-coding") { Description = "A sparse autoencoder (sigmoid codings) with an L1 activity penalty of weight W on the codings (sum |coding| / batch; default 0: off)" };
    public Option<float?> KlWeight { get; } = new("--kl-weight") { Description = "With --variational: the weight of the KL term (default 1: the ELBO)" };
    public Option<int?> KlWarmup { get; } = new("--kl-warmup") { Description = "With --variational: the KL weight ramps up linearly over this many epochs (Bowman et al. 2016; default 0: the full weight from the start)" };

    /// <summary>Every flag, with the property of <see cref="TrainingOptions"/> it sets.</summary>
    public IEnumerable<(Option Flag, string Setting)> All =>
    [
        (Epochs, nameof(TrainingOptions.Epochs)), (BatchSize, nameof(TrainingOptions.BatchSize)), (LearningRate, nameof(TrainingOptions.LearningRate)),
        (Seed, nameof(TrainingOptions.Seed)), (MaxSteps, nameof(TrainingOptions.MaxStepsPerEpoch)),
        (TeacherForcingDropout, nameof(TrainingOptions.TeacherForcingDropout)), (EarlyStopping, nameof(TrainingOptions.EarlyStoppingPatience)),
        (MinDelta, nameof(TrainingOptions.MinDelta)), (Schedule, nameof(TrainingOptions.Schedule)), (MinLearningRate, nameof(TrainingOptions.MinLearningRate)),
        (PlateauFactor, nameof(TrainingOptions.PlateauFactor)), (PlateauPatience, nameof(TrainingOptions.PlateauPatience)),
        (Warmup, nameof(TrainingOptions.WarmupSteps)), (ClipNorm, nameof(TrainingOptions.ClipNorm)), (TimeLimit, nameof(TrainingOptions.TimeLimit)),
        (Crops, nameof(TrainingOptions.CropProbability)), (Splices, nameof(TrainingOptions.SpliceProbability)), (Buckets, nameof(TrainingOptions.BucketByLength)),
        (InputNoise, nameof(TrainingOptions.InputNoise)), (InputDropout, nameof(TrainingOptions.InputDropout)), (Sparsity, nameof(TrainingOptions.Sparsity)),
        (SparsityWeight, nameof(TrainingOptions.SparsityWeight)), (L1Coding, nameof(TrainingOptions.L1Coding)), (KlWeight, nameof(TrainingOptions.KlWeight)),
        (KlWarmup, nameof(TrainingOptions.KlWarmupEpochs)),
    ];

    public TrainingFlags() => Schedule.AcceptOnlyFromAmong("constant", "cosine", "plateau");

    public void AddTo(Command command)
    {
        foreach (var (flag, _) in All) command.Options.Add(flag);
    }

    /// <summary>The flag that sets a <see cref="TrainingOptions"/> property.</summary>
    public string FlagOf(string setting) => All.First(a => a.Setting == setting).Flag.Name;

    /// <summary>What the command line named; "0 means off" flags given a negative value are usage errors here.</summary>
    public TrainingOverrides Read(ParseResult parse)
    {
        int? patience = parse.GetValue(EarlyStopping);
        if (patience < 0) throw new UsageException($"--early-stopping takes a patience of at least 1 epoch, or 0 for off; not {patience}");
        float? clip = parse.GetValue(ClipNorm);
        if (clip is float c && !(c >= 0 && float.IsFinite(c))) throw new UsageException($"--clip-norm takes a positive norm, or 0 for off; not {F(c)}");
        return new TrainingOverrides(parse.GetValue(Epochs), parse.GetValue(BatchSize), parse.GetValue(LearningRate), parse.GetValue(Seed),
            parse.GetValue(MaxSteps), parse.GetValue(TeacherForcingDropout), patience, parse.GetValue(MinDelta),
            parse.GetValue(Schedule) is string s ? Enum.Parse<LearningRateSchedule>(s, ignoreCase: true) : null,
            parse.GetValue(MinLearningRate), parse.GetValue(PlateauFactor), parse.GetValue(PlateauPatience), parse.GetValue(Warmup), clip,
            parse.GetValue(TimeLimit) is string t ? Durations.Parse(t, "--time-limit") : null, parse.GetValue(Crops),
            parse.GetValue(InputNoise), parse.GetValue(InputDropout), parse.GetValue(Sparsity), parse.GetValue(SparsityWeight),
            parse.GetValue(L1Coding), parse.GetValue(KlWeight), parse.GetValue(KlWarmup), parse.GetValue(Splices), parse.GetValue(Buckets));
    }

    /// <summary><see cref="TrainingOptions.Validate"/>, its one-line message naming the flag.</summary>
    public TrainingOptions Validate(TrainingOptions options)
    {
        try
        {
            options.Validate();
            return options;
        }
        catch (InvalidTrainingOptionException e)
        {
            throw new UsageException($"{FlagOf(e.Setting)} {e.Requirement}");
        }
    }

    /// <summary>"10 for Fashion-MNIST, 1000 for --csv/--npy, 15 for --text": a default as the help states it.</summary>
    static string Describe(Func<TrainingOptions, string> value) =>
        $"{value(TrainingDefaults.Reference)} for Fashion-MNIST, {value(TrainingDefaults.Sequences)} for --csv/--npy/--series, {value(TrainingDefaults.Text)} for --text";
}

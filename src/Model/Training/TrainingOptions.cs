using System.Globalization;
using System.Text.Json.Serialization;
using RecurrentAE.Kernels;

namespace RecurrentAE.Model.Training;

/// <summary>
/// Every training setting, validated in one place (<see cref="Validate"/>); <see cref="Trainer"/> applies them. The
/// defaults are the reference run (REFERENCE.md: 10 epochs, batch 32, Adam 1e-3 constant, seed 42, nothing else); a
/// checkpoint written before a setting existed reads back with that setting's default, which is "off".
/// </summary>
/// <param name="Epochs">The epoch cap.</param>
/// <param name="BatchSize">Sequences a step (the last batch of an epoch is the remainder).</param>
/// <param name="LearningRate">Adam's base learning rate; <see cref="Schedule"/> and <see cref="WarmupSteps"/> shape it.</param>
/// <param name="Seed">Seed of the initial weights, the shuffling and the training draws (teacher-forcing dropout, input noise and dropout, eps).</param>
/// <param name="MaxStepsPerEpoch">At most this many steps an epoch (quick runs); null: the whole training set.</param>
/// <param name="TeacherForcingDropout">See <see cref="RecurrentAutoencoder.TeacherForcingDropout"/>: in [0, 1).</param>
/// <param name="EarlyStoppingPatience">Keras <c>EarlyStopping(patience, restore_best_weights=True)</c> on the monitored loss
/// (<see cref="LearningRateSchedules.Monitored"/>): stop after this many epochs without improvement and end with the best
/// epoch's weights; null: off.</param>
/// <param name="MinDelta">The least decrease of the monitored loss that counts as an improvement (early stopping and the plateau schedule).</param>
/// <param name="Schedule">How the learning rate moves over the run (<see cref="LearningRateSchedules"/>).</param>
/// <param name="MinLearningRate">The floor of the cosine and plateau schedules; null: <see cref="LearningRate"/> / 20.</param>
/// <param name="PlateauFactor">The plateau schedule multiplies the rate by this (in (0, 1)) after <see cref="PlateauPatience"/> epochs without improvement.</param>
/// <param name="PlateauPatience">Epochs without improvement before the plateau schedule lowers the rate.</param>
/// <param name="WarmupSteps">Linear warm-up: step s (0-based) of the first WarmupSteps uses (s + 1) / WarmupSteps of the scheduled rate.</param>
/// <param name="ClipNorm">Clip each step's gradient to this global norm (Keras <c>global_clipnorm</c>); null: off.</param>
/// <param name="TimeLimit">Stop at the end of the first step after this much training time in one invocation; null: none.</param>
/// <param name="CropProbability">Random crops (<see cref="SequenceCrops"/>): each epoch, each training sequence is replaced
/// with this probability, in [0, 1], by a random part of itself at least half as long; 0: off.</param>
/// <param name="SpliceProbability">Random splices (<see cref="SequenceSplices"/>): each epoch, each training sequence is
/// replaced with this probability, in [0, 1], by random parts of several training sequences joined (text: runs of whole
/// words joined by a space); 0: off. A sequence not spliced may still be cropped.</param>
/// <param name="BucketByLength">Length-bucketed batches for sets of different lengths (<see cref="EpochShuffle.Bucketed"/>):
/// each batch holds sequences of about one length and runs to its longest only.</param>
/// <param name="InputNoise">Denoising: the deviation of the Gaussian noise added to the encoder's inputs in training (<see cref="RecurrentAutoencoder.InputNoise"/>); 0: off.</param>
/// <param name="InputDropout">Denoising: the input dropout rate in training, in [0, 1) (<see cref="RecurrentAutoencoder.InputDropout"/>); 0: off.</param>
/// <param name="Sparsity">A sparse model's target mean activation P, in (0, 1); null: no KL sparsity penalty.</param>
/// <param name="SparsityWeight">The weight of the KL sparsity penalty (with <see cref="Sparsity"/>).</param>
/// <param name="L1Coding">A sparse model's L1 activity penalty on the codings; 0: off.</param>
/// <param name="KlWeight">A variational model's weight of the KL term (after the warm-up).</param>
/// <param name="KlWarmupEpochs">A variational model's KL warm-up: the KL weight ramps linearly from 0 over this many
/// epochs' steps (step s uses (s + 1) / (epochs x steps an epoch) of it; Bowman et al. 2016); 0: the full weight from the start.</param>
public sealed record TrainingOptions(int Epochs = 10, int BatchSize = 32, float LearningRate = 1e-3f, int Seed = 42, int? MaxStepsPerEpoch = null,
    float TeacherForcingDropout = 0f, int? EarlyStoppingPatience = null, double MinDelta = 0,
    LearningRateSchedule Schedule = LearningRateSchedule.Constant, float? MinLearningRate = null, float PlateauFactor = 0.5f,
    int PlateauPatience = 10, int WarmupSteps = 0, float? ClipNorm = null, TimeSpan? TimeLimit = null, float CropProbability = 0f,
    float InputNoise = 0f, float InputDropout = 0f, float? Sparsity = null, float SparsityWeight = TrainingOptions.DefaultSparsityWeight,
    float L1Coding = 0f, float KlWeight = 1f, int KlWarmupEpochs = 0, float SpliceProbability = 0f,
    bool BucketByLength = false)
{
    /// <summary>The KL sparsity penalty's default weight (Géron's sparse autoencoder uses 0.05).</summary>
    public const float DefaultSparsityWeight = 0.05f;

    /// <summary>The sparse model's penalties as the kernels take them.</summary>
    [JsonIgnore]
    public SparsityPenalty SparsityPenalty => new(Sparsity ?? 0.5f, Sparsity is null ? 0f : SparsityWeight, L1Coding);

    /// <summary>The KL term's factor at global step <paramref name="step"/> (0-based) of a run of <paramref name="stepsPerEpoch"/> steps an epoch.</summary>
    public float KlFactor(long step, int stepsPerEpoch) =>
        KlWarmupEpochs <= 0 ? KlWeight : KlWeight * (float)Math.Min(1.0, (step + 1) / ((double)KlWarmupEpochs * stepsPerEpoch));

    /// <summary>The floor of the decaying schedules.</summary>
    [JsonIgnore]
    public float LearningRateFloor => MinLearningRate ?? LearningRate / 20f;

    /// <summary>Throws <see cref="InvalidTrainingOptionException"/> (one line) naming the first bad setting.</summary>
    public void Validate()
    {
        static string S(double v) => v.ToString(CultureInfo.InvariantCulture);
        static string F(float v) => v.ToString(CultureInfo.InvariantCulture);
        static void Need(bool ok, string setting, string what, string requirement)
        {
            if (!ok) throw new InvalidTrainingOptionException(setting, what, requirement);
        }
        Need(Epochs >= 1, nameof(Epochs), "epochs", $"must be at least 1, not {Epochs}");
        Need(BatchSize >= 1, nameof(BatchSize), "the batch size", $"must be at least 1, not {BatchSize}");
        Need(LearningRate > 0 && float.IsFinite(LearningRate), nameof(LearningRate), "the learning rate", $"must be a positive number, not {F(LearningRate)}");
        Need(MaxStepsPerEpoch is null or >= 1, nameof(MaxStepsPerEpoch), "max steps", $"must be at least 1, not {MaxStepsPerEpoch}");
        Need(TeacherForcingDropout >= 0 && TeacherForcingDropout < 1, nameof(TeacherForcingDropout), "teacher-forcing dropout",
            $"must be at least 0 and below 1, not {F(TeacherForcingDropout)}");
        Need(EarlyStoppingPatience is null or >= 1, nameof(EarlyStoppingPatience), "the early-stopping patience", $"must be at least 1 epoch, not {EarlyStoppingPatience}");
        Need(MinDelta >= 0 && double.IsFinite(MinDelta), nameof(MinDelta), "the minimum improvement", $"must be a number at least 0, not {S(MinDelta)}");
        Need(Enum.IsDefined(Schedule), nameof(Schedule), "the learning-rate schedule", $"must be constant, cosine or plateau, not {(int)Schedule}");
        Need(MinLearningRate is null || (MinLearningRate >= 0 && MinLearningRate <= LearningRate), nameof(MinLearningRate), "the minimum learning rate",
            $"must be at least 0 and at most the learning rate {F(LearningRate)}, not {F(MinLearningRate ?? 0)}");
        Need(PlateauFactor > 0 && PlateauFactor < 1, nameof(PlateauFactor), "the plateau factor", $"must be above 0 and below 1, not {F(PlateauFactor)}");
        Need(PlateauPatience >= 1, nameof(PlateauPatience), "the plateau patience", $"must be at least 1 epoch, not {PlateauPatience}");
        Need(WarmupSteps >= 0, nameof(WarmupSteps), "the warm-up", $"must be at least 0 steps, not {WarmupSteps}");
        Need(ClipNorm is null || (ClipNorm > 0 && float.IsFinite(ClipNorm.Value)), nameof(ClipNorm), "the clipping norm", $"must be a positive number, not {F(ClipNorm ?? 0)}");
        Need(TimeLimit is null || TimeLimit > TimeSpan.Zero, nameof(TimeLimit), "the time limit", $"must be positive, not {TimeLimit}");
        Need(CropProbability >= 0 && CropProbability <= 1, nameof(CropProbability), "the crop probability", $"must be at least 0 and at most 1, not {F(CropProbability)}");
        Need(SpliceProbability >= 0 && SpliceProbability <= 1, nameof(SpliceProbability), "the splice probability", $"must be at least 0 and at most 1, not {F(SpliceProbability)}");
        Need(InputNoise >= 0 && float.IsFinite(InputNoise), nameof(InputNoise), "the input noise", $"must be a number at least 0, not {F(InputNoise)}");
        Need(InputDropout >= 0 && InputDropout < 1, nameof(InputDropout), "the input dropout", $"must be at least 0 and below 1, not {F(InputDropout)}");
        Need(Sparsity is null || (Sparsity > 0 && Sparsity < 1), nameof(Sparsity), "the sparsity target", $"must be above 0 and below 1, not {F(Sparsity ?? 0)}");
        Need(SparsityWeight >= 0 && float.IsFinite(SparsityWeight), nameof(SparsityWeight), "the sparsity weight", $"must be a number at least 0, not {F(SparsityWeight)}");
        Need(L1Coding >= 0 && float.IsFinite(L1Coding), nameof(L1Coding), "the L1 coding penalty", $"must be a number at least 0, not {F(L1Coding)}");
        Need(KlWeight >= 0 && float.IsFinite(KlWeight), nameof(KlWeight), "the KL weight", $"must be a number at least 0, not {F(KlWeight)}");
        Need(KlWarmupEpochs >= 0, nameof(KlWarmupEpochs), "the KL warm-up", $"must be at least 0 epochs, not {KlWarmupEpochs}");
    }
}

/// <summary>A training setting out of its range: <see cref="Setting"/> is the <see cref="TrainingOptions"/> property, so a
/// command line can name its own flag beside <see cref="Requirement"/>.</summary>
public sealed class InvalidTrainingOptionException(string setting, string what, string requirement)
    : ArgumentException($"{what} {requirement}")
{
    /// <summary>The name of the <see cref="TrainingOptions"/> property.</summary>
    public string Setting { get; } = setting;
    /// <summary>What the value must be, and the value given ("must be at least 1, not 0").</summary>
    public string Requirement { get; } = requirement;
}

/// <summary>How the learning rate moves over a run; see <see cref="LearningRateSchedules.Rate"/> for the formulas.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LearningRateSchedule>))]
public enum LearningRateSchedule
{
    /// <summary>The base rate throughout (after any warm-up).</summary>
    Constant,

    /// <summary>Half a cosine from the base rate down to the floor over the epoch cap (Loshchilov and Hutter 2017, SGDR, without restarts).</summary>
    Cosine,

    /// <summary>Keras <c>ReduceLROnPlateau</c>: the rate times the factor after each run of patience epochs without improvement, down to the floor.</summary>
    Plateau,
}

/// <summary>One epoch's figures, as Keras prints them. Seconds is the whole epoch with validation; ms/step is training
/// only; LearningRate is the rate of the epoch's last step (NaN in checkpoints written before it was recorded).
/// For sparse and variational models Loss is the reconstruction plus the regulariser and <see cref="Reconstruction"/> the
/// head's loss alone; a variational model's <see cref="Kl"/> is its KL divergence to N(0, I) per value (the loss's unit,
/// unweighted) and its ValLoss is ValReconstruction + the epoch's KL factor x ValKl (the mean coding); a sparse model's
/// ValLoss is its reconstruction (the penalties depend on the batch). NaN where a figure does not apply.</summary>
public sealed record EpochResult(int Epoch, double Loss, double ValLoss, double Seconds, double MsPerStep, double LearningRate = double.NaN,
    double Reconstruction = double.NaN, double Kl = double.NaN, double ValReconstruction = double.NaN, double ValKl = double.NaN);

/// <summary>Where training stands: the next epoch (0-based), the next step in it, and the running loss of that epoch so far
/// (and of its reconstruction and regulariser, for sparse and variational models).</summary>
public sealed record TrainingPosition(int Epoch, int Step, double LossSum, int LossCount, double ReconstructionSum = 0, double RegularizerSum = 0)
{
    /// <summary>The start of a run.</summary>
    public static TrainingPosition Start { get; } = new(0, 0, 0, 0);
}

/// <summary>Thrown when a step's loss is NaN or infinite: the run stops and the last good checkpoint stays.</summary>
public sealed class TrainingDivergedException(int epoch, int step, float loss)
    : Exception($"the loss became {loss} at epoch {epoch}, step {step}: training stopped; lower --lr or check the data (the last checkpoint is kept)")
{
    /// <summary>The epoch (1-based) of the step that diverged.</summary>
    public int Epoch { get; } = epoch;
    /// <summary>The step (1-based) in its epoch.</summary>
    public int Step { get; } = step;
}

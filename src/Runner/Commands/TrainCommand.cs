using System.CommandLine;
using RecurrentAE.Runner.DataSources;
using RecurrentAE.Runner.Output;
using RecurrentAE.Runner.Training;

namespace RecurrentAE.Runner.Commands;

/// <summary>
/// <c>rae train</c>: parses the flags, composes data, model and <see cref="Trainer"/>, and renders progress. The
/// reference run by default (10 epochs, batch 32, Adam 1e-3, seed 42); other sources get their kind's defaults
/// (<see cref="TrainingDefaults"/>). Writes into --out a checkpoint after every epoch, history.csv/json, and at the end
/// the outputs of <see cref="RunOutputs"/>. Ctrl-C stops at the end of the current step, saves a resumable checkpoint
/// and exits with 130; --time-limit stops the same way but writes every output and exits 0; --resume DIR continues to
/// the same weights as an uninterrupted run (same backend), within what <see cref="ResumeChecks"/> allows.
/// </summary>
internal static class TrainCommand
{
    public static Command Create(RaeContext ctx)
    {
        var training = new TrainingFlags();
        var accelerator = CommonOptions.Accelerator();
        var threads = CommonOptions.Threads();
        var data = new DataOptions();
        var text = new TextTrainOptions();
        var series = new SeriesOptions();
        var validFraction = new Option<double?>("--valid-fraction")
        {
            Description = "With --csv/--npy: the last fraction of the sequences held out for val_loss (default 0.1)",
        };
        validFraction.Validators.Add(r => { if (CommonOptions.TryValue<double?>(r, out var v) && v is not null && !(v >= 0 && v < 1)) r.AddError("--valid-fraction must be at least 0 and below 1"); });
        var loss = new Option<string?>("--loss")
        {
            Description = "bce (sigmoid output, values in [0, 1]) or mse (linear output, data standardised per feature); default: bce when every value is in [0, 1], else mse",
        };
        loss.AcceptOnlyFromAmong("bce", "mse");
        var encoder = new Option<string?>("--encoder") { Description = "Encoder LSTM sizes, comma-separated; the last is the coding (default 100,30; 256 for --text)" };
        var decoder = new Option<string?>("--decoder") { Description = "Decoder LSTM sizes, comma-separated (default 100; 256 for --text)" };
        var order = new Option<string?>("--decode-order")
        {
            Description = "forward, or reverse: the decoder emits each sequence back to front, which sequences of different lengths need to train well (default: reverse for --csv/--npy, forward for Fashion-MNIST and --text)",
        };
        order.AcceptOnlyFromAmong("forward", "reverse");
        var teacher = new Option<bool>("--teacher-forcing")
        {
            Description = "The decoder also sees its previous target step (teacher forcing); reconstructions then decode greedily, each step fed the model's own previous output (default for --text)",
        };
        var noTeacher = new Option<bool>("--no-teacher-forcing") { Description = "The decoder sees only the coding, repeated at every step (default except for --text)" };
        var variational = new Option<bool>("--variational")
        {
            Description = "A variational autoencoder: the encoder's last state gives a mean and a log-variance (two Dense layers); training samples the coding, evaluation and encoding use the mean; the loss adds --kl-weight x the KL divergence to N(0, I) per value; 'rae sample' and 'rae interpolate' decode new codings",
        };
        var output = new Option<string?>("--out", "-o") { Description = "Run directory (default: runs/<yyyyMMdd-HHmmss>; with --resume: the resumed directory)" };
        var resume = new Option<string?>("--resume") { Description = "Continue the run saved in this directory (weights, Adam state, position, history, best weights)" };

        var command = new Command("train", "Train the LSTM autoencoder on Fashion-MNIST (defaults = the reference Keras run), on sequences from --csv/--npy, or on lines of --text; other sources than Fashion-MNIST train until val_loss stops improving")
        {
            accelerator, threads, output, resume, validFraction, loss, encoder, decoder, order, teacher, noTeacher, variational,
        };
        training.AddTo(command);
        data.AddTo(command);
        text.AddTo(command);
        series.AddTo(command, training: true);
        command.SetAction(parse =>
        {
            var settings = new Settings(training.Read(parse), parse.GetValue(accelerator)!, parse.GetValue(threads),
                series.Apply(text.Apply(data.Resolve(parse), parse), parse, training: true, resuming: parse.GetValue(resume) is not null),
                parse.GetValue(output), parse.GetValue(resume),
                parse.GetValue(validFraction), parse.GetValue(loss) is string l ? AutoencoderSpec.ParseHead(l) : null,
                ParseUnits(parse.GetValue(encoder), "--encoder"), ParseUnits(parse.GetValue(decoder), "--decoder"),
                parse.GetValue(order) is string d ? d == "reverse" : null,
                TeacherForcing(parse.GetValue(teacher), parse.GetValue(noTeacher)), parse.GetValue(variational));
            return Run(ctx, settings, training);
        });
        return command;
    }

    internal sealed record Settings(TrainingOverrides Training, string Accelerator, int Threads, DataSource? Data, string? Out, string? Resume,
        double? ValidFraction = null, OutputHead? Loss = null, int[]? Encoder = null, int[]? Decoder = null, bool? Reverse = null,
        bool? TeacherForcing = null, bool Variational = false);

    /// <summary>The teacher-forcing flags: null when neither is given (the data kind's default).</summary>
    static bool? TeacherForcing(bool on, bool off) => (on, off) switch
    {
        (true, true) => throw new UsageException("--teacher-forcing and --no-teacher-forcing exclude each other"),
        (true, false) => true,
        (false, true) => false,
        _ => null,
    };

    static int[]? ParseUnits(string? text, string flag)
    {
        if (text is null) return null;
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var units = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out units[i]) || units[i] < 1)
                throw new UsageException($"{flag} takes LSTM sizes (positive whole numbers) separated by commas, not '{text}'");
        return units;
    }

    /// <summary>The options of a new run: the flags over the data kind's defaults; a kind's teacher-forcing dropout
    /// default applies only to a teacher-forced model, and an explicit one needs one.</summary>
    static TrainingOptions NewRunOptions(Settings s, string kind, bool teacherForced, int? trainCount = null)
    {
        var defaults = TrainingDefaults.For(kind);
        if (kind == DataInfo.TextKind && trainCount is int lines)
            defaults = defaults with { Epochs = TrainingDefaults.TextEpochs(lines, s.Training.BatchSize ?? defaults.BatchSize) };
        if (!teacherForced)
        {
            if (s.Training.TeacherForcingDropout is not null)
                throw new UsageException("--teacher-forcing-dropout needs teacher forcing (--teacher-forcing; the default only for --text)");
            defaults = defaults with { TeacherForcingDropout = 0f };
        }
        if (kind == DataInfo.SeriesKind && s.Training.CropProbability > 0)
            throw new UsageException("--random-crops crops whole sequences (--csv, --npy, --text, Fashion-MNIST); a --series is already cut into windows: leave it out");
        if (kind == DataInfo.SeriesKind && s.Training.SpliceProbability > 0)
            throw new UsageException("--random-splices joins whole sequences (--csv, --npy, --text, Fashion-MNIST); a --series is already cut into windows: leave it out");
        return s.Training.Over(defaults);
    }

    static int Run(RaeContext ctx, Settings s, TrainingFlags flags)
    {
        Checkpoint? resumed = s.Resume is null ? null : Checkpoint.Load(s.Resume);
        TrainingOptions? options = null;
        var coding = RegularizedCoding.Kind(s.Training, s.Variational, resumed?.Spec);
        if (resumed is not null)
        {
            options = flags.Validate(ResumeChecks.Options(resumed, s.Training, flags));
            ResumeChecks.Architecture(resumed.Spec, s.Encoder, s.Decoder, s.Reverse, s.TeacherForcing);
        }
        else
        {
            // Check the flags before reading the data (the kind is known; teacher forcing is settled below).
            string kind = s.Data?.Kind ?? DataInfo.FashionMnistKind;
            flags.Validate(NewRunOptions(s, kind, s.TeacherForcing ?? kind == DataInfo.TextKind));
        }

        string outDir = s.Out ?? (s.Resume is not null ? CommonOptions.ModelDirectory(s.Resume)
            : Path.Combine("runs", DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)));
        var dataset = TrainingData.Load(s.Data, s.ValidFraction, s.Loss, resumed);
        var spec = resumed?.Spec ?? (dataset.Info.IsText ? TextSettings.Spec(dataset.Info.Features, s.Encoder, s.Decoder, s.Reverse, s.TeacherForcing)
            : new AutoencoderSpec(dataset.Info.Features,
            s.Encoder ?? [.. AutoencoderSpec.Reference.EncoderUnits], s.Decoder ?? [.. AutoencoderSpec.Reference.DecoderUnits], dataset.Head,
            ReverseOutput: s.Reverse ?? !dataset.Info.IsFashionMnist, TeacherForcing: s.TeacherForcing ?? false));
        spec = spec with { Coding = coding };
        options ??= flags.Validate(NewRunOptions(s, dataset.Info.Kind, spec.TeacherForcing, dataset.Train.Count));
        var info = dataset.Info;
        bool writer = ctx.World.Rank == 0; // under mpirun only rank 0 writes the run directory
        if (writer) Directory.CreateDirectory(outDir);
        string checkpointPath = Path.Combine(outDir, Checkpoint.FileName);

        using var backend = CommonOptions.CreateBackend(s.Accelerator, s.Threads);
        using var model = new RecurrentAutoencoder(backend, spec, options.Seed, Math.Max(256, options.BatchSize));
        using var train = dataset.UploadTrain(model);
        using var valid = dataset.UploadValid(model);
        var trainer = new Trainer(model, train, valid, options) { Communicator = ctx.World };
        resumed?.ResumeInto(model, trainer);
        void Save(DataInfo data)
        {
            if (writer) Checkpoint.Save(checkpointPath, model, trainer, data);
        }

        var o = ctx.Out;
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(resumed is null ? "Training" : $"Resuming at epoch {resumed.Position!.Epoch + 1} step {resumed.Position.Step + 1}:")} {model.ParameterCount:N0} parameters on {backend.Description}; {dataset.Description}; {MemoryFootprint.Describe(model, train, valid)}; run directory {outDir}{DataParallelDescription.Of(ctx.World, options.BatchSize)}"));
        o.WriteLine(Describe(options, trainer.StepsPerEpoch, spec.Coding));
        var progress = new TrainingProgress(o, ctx.Interactive, options.Epochs, trainer.StepsPerEpoch);
        trainer.StepCompleted = progress.OnStep;
        bool saved = resumed is not null;
        trainer.EpochCompleted = r =>
        {
            progress.OnEpoch(r, trainer.Monitor);
            Save(info);
            if (writer) History.Write(outDir, trainer.History);
            saved = true;
        };

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.Cancel);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (cts.IsCancellationRequested) return; // a second Ctrl-C ends the process
            e.Cancel = true;
            cts.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            trainer.Run(cts.Token);
        }
        catch (TrainingDivergedException e)
        {
            progress.Break();
            ctx.Err.WriteLine($"rae: training diverged: {RaeApp.OneLine(e.Message)}; " +
                (saved ? $"the last good checkpoint is kept in {checkpointPath}" : "no checkpoint was written") +
                " (try a smaller --lr or --clip-norm)");
            return RaeApp.Failure;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
        progress.Break();

        if (trainer.StopReason == StopReason.Cancelled)
        {
            if (!writer) return RaeApp.Interrupted;
            Save(info);
            History.Write(outDir, trainer.History);
            var pos = trainer.Position;
            ctx.Err.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"rae: interrupted; saved {checkpointPath} at epoch {pos.Epoch + 1} step {pos.Step + 1}; continue with: rae train --resume {outDir}"));
            return RaeApp.Interrupted;
        }
        if (writer) RunOutputs.Write(o, model, dataset, trainer, outDir, Save);
        return RaeApp.Ok;
    }

    /// <summary>The second line of a run: the settings that shape it.</summary>
    static string Describe(TrainingOptions o, int stepsPerEpoch, CodingKind coding)
    {
        static string F(double v) => v.ToString("G3", CultureInfo.InvariantCulture);
        var parts = new List<string> { $"batch {o.BatchSize}, {stepsPerEpoch} steps an epoch, at most {o.Epochs} epochs" };
        parts.Add(o.Schedule switch
        {
            LearningRateSchedule.Cosine => $"Adam {F(o.LearningRate)} cosine to {F(o.LearningRateFloor)}",
            LearningRateSchedule.Plateau => $"Adam {F(o.LearningRate)} x{F(o.PlateauFactor)} after {o.PlateauPatience} epochs without improvement, down to {F(o.LearningRateFloor)}",
            _ => $"Adam {F(o.LearningRate)}",
        } + (o.WarmupSteps > 0 ? $" after a {o.WarmupSteps}-step warm-up" : ""));
        if (o.EarlyStoppingPatience is int p) parts.Add($"early stopping after {p} epochs without improvement{(o.MinDelta > 0 ? $" by more than {F(o.MinDelta)}" : "")} (best weights restored)");
        if (o.ClipNorm is float c) parts.Add($"gradients clipped to norm {F(c)}");
        if (o.TeacherForcingDropout > 0) parts.Add($"teacher-forcing dropout {F(o.TeacherForcingDropout)}");
        if (o.SpliceProbability > 0) parts.Add($"random splices {F(o.SpliceProbability)}");
        if (o.BucketByLength) parts.Add("length-bucketed batches");
        if (o.CropProbability > 0) parts.Add($"random crops {F(o.CropProbability)}");
        if (o.TimeLimit is TimeSpan t) parts.Add($"time limit {Durations.Format(t)}");
        parts.AddRange(RegularizedCoding.Describe(o, coding));
        return "Settings: " + string.Join("; ", parts);
    }
}

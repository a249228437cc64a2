using System.CommandLine;
using System.Globalization;
using RecurrentAE.Model;
using RecurrentAE.Model.Checkpoints;
using RecurrentAE.Model.Data;
using RecurrentAE.Kernels;
using RecurrentAE.Runner.Data;
using RecurrentAE.Runner.Output;
using RecurrentAE.Runner.Rendering;

namespace RecurrentAE.Runner.Commands;

/// <summary>
/// <c>rae train</c>: the reference run by default (10 epochs, batch 32, Adam 1e-3, seed 42). Writes into --out a
/// checkpoint after every epoch, history.csv/json, and at the end reconstructions.png and loss.png. Ctrl-C stops at
/// the end of the current step, saves a resumable checkpoint and exits with 130; --resume DIR continues to the
/// same weights as an uninterrupted run (same backend).
/// </summary>
internal static class TrainCommand
{
    public static Command Create(RaeContext ctx)
    {
        var epochs = CommonOptions.PositiveInt("--epochs", 10, "Number of epochs (with --resume: the new total)");
        var batch = CommonOptions.PositiveInt("--batch-size", 32, "Batch size (the last batch of an epoch is the remainder)");
        var lr = new Option<float>("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => 1e-3f };
        lr.Validators.Add(r => { if (CommonOptions.TryValue<float>(r, out var v) && (!(v > 0) || !float.IsFinite(v))) r.AddError("--lr must be a positive number"); });
        var seed = new Option<int>("--seed") { Description = "Seed of the initial weights and of the shuffling", DefaultValueFactory = _ => 42 };
        var maxSteps = new Option<int?>("--max-steps") { Description = "At most this many steps per epoch (quick runs)" };
        maxSteps.Validators.Add(r => { if (CommonOptions.TryValue<int?>(r, out var v) && v is < 1) r.AddError("--max-steps must be at least 1"); });
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
        var teacherDropout = new Option<float?>("--teacher-forcing-dropout")
        {
            Description = "With teacher forcing: the probability P (0 <= P < 1) that a training step replaces a previous step the decoder sees by zeros, so it learns to lean on the coding and to recover from its own mistakes (default 0.25 for --text, otherwise 0: off)",
        };
        teacherDropout.Validators.Add(r =>
        {
            if (CommonOptions.TryValue<float?>(r, out var v) && v is float p && !(p >= 0 && p < 1))
                r.AddError("--teacher-forcing-dropout must be at least 0 and below 1");
        });
        var output = new Option<string?>("--out", "-o") { Description = "Run directory (default: runs/<yyyyMMdd-HHmmss>; with --resume: the resumed directory)" };
        var resume = new Option<string?>("--resume") { Description = "Continue the run saved in this directory (weights, Adam state, position, history)" };

        var command = new Command("train", "Train the LSTM autoencoder on Fashion-MNIST (defaults = the reference Keras run), on sequences from --csv/--npy, or on lines of --text")
        {
            epochs, batch, lr, seed, maxSteps, accelerator, threads, output, resume, validFraction, loss, encoder, decoder, order,
            teacher, noTeacher, teacherDropout,
        };
        data.AddTo(command);
        text.AddTo(command);
        series.AddTo(command, training: true);
        command.SetAction(parse =>
        {
            var settings = new Settings(
                parse.GetValue(epochs), parse.GetValue(batch), parse.GetValue(lr), parse.GetValue(seed), parse.GetValue(maxSteps),
                parse.GetValue(accelerator)!, parse.GetValue(threads), series.Apply(text.Apply(data.Resolve(parse), parse), parse, training: true, resuming: parse.GetValue(resume) is not null), parse.GetValue(output), parse.GetValue(resume),
                Explicit: [.. new Option[] { epochs, batch, lr, seed, maxSteps }.Where(o => parse.GetResult(o) is { Implicit: false }).Select(o => o.Name)],
                parse.GetValue(validFraction), parse.GetValue(loss) is string l ? AutoencoderSpec.ParseHead(l) : null,
                ParseUnits(parse.GetValue(encoder), "--encoder"), ParseUnits(parse.GetValue(decoder), "--decoder"),
                parse.GetValue(order) is string d ? d == "reverse" : null,
                TeacherForcing(parse.GetValue(teacher), parse.GetValue(noTeacher)), parse.GetValue(teacherDropout));
            return Run(ctx, settings);
        });
        return command;
    }

    internal sealed record Settings(int Epochs, int BatchSize, float LearningRate, int Seed, int? MaxSteps, string Accelerator,
        int Threads, DataSource? Data, string? Out, string? Resume, IReadOnlyList<string> Explicit,
        double? ValidFraction = null, OutputHead? Loss = null, int[]? Encoder = null, int[]? Decoder = null, bool? Reverse = null,
        bool? TeacherForcing = null, float? TeacherForcingDropout = null);

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

    static int Run(RaeContext ctx, Settings s)
    {
        Checkpoint? resumed = null;
        TrainingOptions options;
        if (s.Resume is not null)
        {
            resumed = Checkpoint.Load(s.Resume);
            if (resumed.Options is null || resumed.Position is null || !resumed.HasOptimizerState)
                throw new DataFormatException($"{resumed.Path}: holds no training state (options, position, Adam moments); cannot resume");
            options = resumed.Options;
            foreach (var name in s.Explicit)
            {
                bool differs = name switch
                {
                    "--batch-size" => s.BatchSize != options.BatchSize,
                    "--lr" => s.LearningRate != options.LearningRate,
                    "--seed" => s.Seed != options.Seed,
                    "--max-steps" => s.MaxSteps != options.MaxStepsPerEpoch,
                    _ => false,
                };
                if (differs) throw new UsageException($"{name} cannot change when resuming (the checkpoint was trained with other values); only --epochs can");
            }
            if (s.Explicit.Contains("--epochs")) options = options with { Epochs = s.Epochs };
            if ((s.Encoder is not null && !s.Encoder.SequenceEqual(resumed.Spec.EncoderUnits)) || (s.Decoder is not null && !s.Decoder.SequenceEqual(resumed.Spec.DecoderUnits)))
                throw new UsageException("--encoder and --decoder cannot change when resuming");
            if (s.Reverse is bool r && r != resumed.Spec.ReverseOutput) throw new UsageException("--decode-order cannot change when resuming");
            if (s.TeacherForcing is bool tf && tf != resumed.Spec.TeacherForcing)
                throw new UsageException($"--{(tf ? "" : "no-")}teacher-forcing cannot change when resuming");
            if (s.TeacherForcingDropout is float p && p != options.TeacherForcingDropout)
                throw new UsageException($"--teacher-forcing-dropout cannot change when resuming (the checkpoint was trained with {options.TeacherForcingDropout.ToString(CultureInfo.InvariantCulture)})");
        }
        else
        {
            options = new TrainingOptions(s.Epochs, s.BatchSize, s.LearningRate, s.Seed, s.MaxSteps, s.TeacherForcingDropout ?? 0f);
        }

        string outDir = s.Out ?? (s.Resume is not null ? CommonOptions.ModelDirectory(s.Resume)
            : Path.Combine("runs", DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)));
        var dataset = TrainingData.Load(s.Data, s.ValidFraction, s.Loss, resumed);
        var spec = resumed?.Spec ?? (dataset.Info.IsText ? TextSettings.Spec(dataset.Info.Features, s.Encoder, s.Decoder, s.Reverse, s.TeacherForcing)
            : new AutoencoderSpec(dataset.Info.Features,
            s.Encoder ?? [.. AutoencoderSpec.Reference.EncoderUnits], s.Decoder ?? [.. AutoencoderSpec.Reference.DecoderUnits], dataset.Head,
            ReverseOutput: s.Reverse ?? !dataset.Info.IsFashionMnist, TeacherForcing: s.TeacherForcing ?? false));
        if (s.TeacherForcingDropout is not null && !spec.TeacherForcing)
            throw new UsageException("--teacher-forcing-dropout needs teacher forcing (--teacher-forcing; the default only for --text)");
        if (resumed is null && s.TeacherForcingDropout is null && dataset.Info.IsText && spec.TeacherForcing)
            options = options with { TeacherForcingDropout = TextSettings.TeacherForcingDropout };
        var info = dataset.Info;
        Directory.CreateDirectory(outDir);
        string checkpointPath = Path.Combine(outDir, Checkpoint.FileName);

        using var backend = CommonOptions.CreateBackend(s.Accelerator, s.Threads);
        using var model = new RecurrentAutoencoder(backend, spec, options.Seed, Math.Max(256, options.BatchSize));
        model.Adam = (resumed?.Adam ?? model.Adam) with { LearningRate = options.LearningRate };
        resumed?.ApplyTo(model, includeOptimizer: true);
        using var train = dataset.UploadTrain(model);
        using var valid = dataset.UploadValid(model);
        var trainer = new Trainer(model, train, valid, options);
        var history = new List<EpochResult>();
        if (resumed is not null)
        {
            history.AddRange(resumed.History);
            trainer.History.AddRange(resumed.History);
            trainer.Position = resumed.Position!;
        }

        var o = ctx.Out;
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(resumed is null ? "Training" : $"Resuming at epoch {resumed.Position!.Epoch + 1} step {resumed.Position.Step + 1}:")} {model.ParameterCount:N0} parameters on {backend.Description}; {dataset.Description}; batch {options.BatchSize}, {trainer.StepsPerEpoch} steps an epoch{(options.TeacherForcingDropout > 0 ? $", teacher-forcing dropout {options.TeacherForcingDropout}" : "")}; run directory {outDir}"));
        var progress = new TrainingProgress(o, ctx.Interactive, options.Epochs, trainer.StepsPerEpoch);
        trainer.StepCompleted = progress.OnStep;
        bool saved = resumed is not null;
        trainer.EpochCompleted = r =>
        {
            progress.OnEpoch(r);
            history.RemoveAll(h => h.Epoch >= r.Epoch);
            history.Add(r);
            Checkpoint.Save(checkpointPath, model, options, new TrainingPosition(r.Epoch, 0, 0, 0), history, data: info);
            History.Write(outDir, history);
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
        bool finished;
        try
        {
            finished = trainer.Run(cts.Token);
        }
        catch (TrainingDivergedException e)
        {
            progress.Break();
            ctx.Err.WriteLine($"rae: training diverged: {RaeApp.OneLine(e.Message)}; " +
                (saved ? $"the last good checkpoint is kept in {checkpointPath}" : "no checkpoint was written") +
                " (try a smaller --lr)");
            return RaeApp.Failure;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }

        if (!finished)
        {
            progress.Break();
            var pos = trainer.Position;
            Checkpoint.Save(checkpointPath, model, options, pos, history, data: info);
            History.Write(outDir, history);
            ctx.Err.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"rae: interrupted; saved {checkpointPath} at epoch {pos.Epoch + 1} step {pos.Step + 1}; continue with: rae train --resume {outDir}"));
            return RaeApp.Interrupted;
        }

        if (!info.IsFashionMnist)
        {
            // What 'rae score' flags: errors above the 99th percentile of the training sequences' errors.
            info = info with { Threshold = dataset.ThresholdOf(model) };
            saved = false;
        }
        if (!saved) Checkpoint.Save(checkpointPath, model, options, trainer.Position, history, data: info);
        History.Write(outDir, history);
        LossPlot.Write(history, Path.Combine(outDir, "loss.png"), LossPlot.LossName(spec.Head));
        if (info.IsText)
            TextRun.Finish(o, model, dataset, outDir);
        else if (info.IsFashionMnist)
            ReconstructionImage.Write(model, dataset.Valid, 5, Path.Combine(outDir, "reconstructions.png"));
        else
            SeriesPlot.WriteReconstructions(model, dataset.PlotSample, info, 4, Path.Combine(outDir, "reconstructions.png"));
        if (history.Count > 0)
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Final: loss {history[^1].Loss:F4}, val_loss {history[^1].ValLoss:F4}"));
        if (info.Threshold is double threshold)
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Anomaly threshold ({dataset.ThresholdRule}): {threshold:G6}"));
        o.WriteLine($"Wrote {checkpointPath}, history.csv, history.json, loss.png and reconstructions.{(info.IsText ? "txt" : "png")} in {outDir}");
        return RaeApp.Ok;
    }
}

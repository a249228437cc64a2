using System.CommandLine;
using RecurrentAE.Runner.DataSources;
using RecurrentAE.Runner.Onnx;

namespace RecurrentAE.Runner.Commands;

/// <summary><c>rae evaluate --model DIR</c>: mean binary cross-entropy on the validation set (and the t10k test set when present).</summary>
internal static class EvaluateCommand
{
    /// <summary>The seed of --noise's draws: every evaluation of a data set sees the same noise.</summary>
    public const int NoiseSeed = 20160;

    public static Command Create(RaeContext ctx)
    {
        var model = CommonOptions.Model();
        var batch = CommonOptions.PositiveInt("--batch-size", 256, "Evaluation batch size");
        var accelerator = CommonOptions.Accelerator();
        var threads = CommonOptions.Threads();
        var onnx = new Option<string?>("--onnx")
        {
            Description = "Also run this autoencoder graph ('rae export' of the model) in ONNX Runtime on the same data (--threads intra-op threads) and print its loss beside ours",
        };
        var noise = new Option<float?>("--noise")
        {
            Description = "Denoising: add Gaussian noise of this deviation to the inputs (drawn from a fixed seed, so repeatable) and compare the reconstructions with the clean data",
        };
        noise.Validators.Add(r => { if (CommonOptions.TryValue<float?>(r, out var v) && v is float x && !(x >= 0 && float.IsFinite(x))) r.AddError("--noise must be a number at least 0"); });
        var data = new DataOptions();
        var command = new Command("evaluate", "Print the validation (and test) loss of a trained model, or its loss on --csv/--npy sequences; a text model also its per-character accuracy") { model, batch, accelerator, threads, onnx, noise };
        data.AddTo(command);
        command.SetAction(parse =>
        {
            int batchSize = parse.GetValue(batch);
            var named = data.Resolve(parse);
            var textCheckpoint = Checkpoint.Load(parse.GetValue(model)!);
            var onnxPath = parse.GetValue(onnx);
            if (onnxPath is not null && (textCheckpoint.Spec.TeacherForcing || named?.Kind == DataInfo.TextKind || textCheckpoint.Data.IsText))
                throw new UsageException("--onnx evaluates an exported autoencoder graph; a teacher-forced (text) model has none (it exports its encoder and one decoder step)");
            if (onnxPath is not null && !File.Exists(onnxPath)) throw new UsageException($"--onnx {onnxPath}: no such file");
            var corruption = parse.GetValue(noise) is float std && std > 0 ? new Model.InputCorruption(std, Seed: NoiseSeed) : null;
            if (corruption is not null && (onnxPath is not null || named?.Kind == DataInfo.TextKind || textCheckpoint.Data.IsText))
                throw new UsageException("--noise evaluates with noisy inputs on our backends; it goes with neither --onnx nor a text model");
            if (named?.Kind == DataInfo.TextKind || textCheckpoint.Data.IsText)
                return TextRun.Evaluate(ctx, textCheckpoint, named, batchSize, parse.GetValue(accelerator)!, parse.GetValue(threads));
            var (backend, m, checkpoint) = CommonOptions.LoadModel(parse.GetValue(model)!, parse.GetValue(accelerator)!, parse.GetValue(threads), batchSize);
            using (backend)
            using (m)
            {
                if (named is { IsFashionMnist: false } || (named is null && !checkpoint.Data.IsFashionMnist))
                {
                    var (sequences, description) = ModelData.Load(named, checkpoint, "evaluate");
                    using var device = m.Upload(sequences);
                    Report("loss", Loss(m, device), sequences, $" ({description})");
                    return RaeApp.Ok;
                }
                var dataset = ModelData.LoadImages(named?.Path, checkpoint);
                using (var valid = m.Upload(dataset.Validation))
                {
                    Report("val_loss", Loss(m, valid), dataset.Validation, "");
                    if (checkpoint.Spec.Coding == Model.CodingKind.Variational && onnxPath is null)
                        ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"val_kl: {m.EvaluateTerms(valid, batchSize, corruption).Kl:F6} (the KL divergence to N(0, I) per value; val_loss is the reconstruction from the mean coding)"));
                }
                if (dataset.Test is not null)
                {
                    using var test = m.Upload(dataset.Test);
                    Report("test_loss", Loss(m, test), dataset.Test, "");
                }

                // The reconstruction loss (a variational model's from its mean coding), of noisy inputs with --noise.
                double Loss(Model.RecurrentAutoencoder m, Model.DeviceDataset d) => m.EvaluateTerms(d, batchSize, corruption).Reconstruction;

                // Ours, then (with --onnx) ONNX Runtime's on the same sequences, to 9 digits and their relative difference.
                void Report(string label, double loss, Model.SequenceDataset sequences, string suffix)
                {
                    if (onnxPath is null)
                    {
                        ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label}: {loss:F6}{suffix}"));
                        return;
                    }
                    using var session = new OnnxSession(onnxPath, parse.GetValue(threads));
                    double other = OnnxEvaluation.MeanLoss(session, checkpoint.Spec, checkpoint.Data.Standardizer, sequences, batchSize, onnxPath);
                    ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label}: {loss:F9}{suffix}"));
                    ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{label} (ONNX Runtime, {onnxPath}): {other:F9} (relative difference {Math.Abs(other - loss) / Math.Abs(loss):E2})"));
                }
            }
            return RaeApp.Ok;
        });
        return command;
    }
}

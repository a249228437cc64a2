// A character-level LSTM autoencoder on short lines of real text (Debian's fortunes), trained with the library's public
// API exactly as the command line trains text:
//   dotnet run -c Release --project samples/TextAutoencoder [-- --threads N --seed 42 --epochs N --time-limit MINUTES --case --holdout 1000]
// Lines are split from the fortunes at spaces, 10-40 characters each (see FortuneLines.cs), lowercased unless --case,
// duplicates removed; the lines of whole fortunes (--holdout, default 1,000 lines) are held out for the test below.
// Training equals 'rae train --text LINES -a cpu --threads N --seed S [--epochs E] [--time-limit Mm]' on a file LINES holding
// the training lines in this order: the last tenth of them validate (val_loss, early stopping; --valid-fraction 0.1), the
// vocabulary is built from the rest (min count 1), the model is AutoencoderSpec.Text (encoder and decoder LSTMs of 256,
// softmax head, teacher forced) and the Trainer runs TrainingDefaults.Text (Adam 1.5e-3 cosine to lr/20, gradients
// clipped to norm 1, teacher-forcing dropout 0.25, random splices 0.9 and crops 0.8, length-bucketed batches of 32,
// early stopping after 10 epochs without improvement with the best weights restored) for TrainingDefaults.TextEpochs
// epochs. Then the held-out lines are decoded greedily from their codings (each step fed the model's own previous
// character): per-character accuracy, exact lines and ten examples.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using RecurrentAE.Kernels;
using RecurrentAE.Model;
using RecurrentAE.Model.Text;
using RecurrentAE.Model.Training;

const string FortuneDir = "/usr/share/games/fortunes";
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var threads = new Option<int>("--threads") { Description = "CPU threads (0 = all cores)", DefaultValueFactory = _ => 0 };
var seed = new Option<int>("--seed") { Description = "Seed of the line split, the initial weights, the shuffling and the training draws", DefaultValueFactory = _ => 42 };
var epochs = new Option<int?>("--epochs") { Description = "The epoch cap (default: as many epochs as TrainingDefaults.TextStepBudget steps take, 15-300, as rae train --text)" };
var timeLimit = new Option<double?>("--time-limit") { Description = "Stop training after this many minutes (default: none)" };
var keepCase = new Option<bool>("--case") { Description = "Keep upper case (default: lowercase)" };
var holdOut = new Option<int>("--holdout") { Description = "Held-out test lines (whole fortunes)", DefaultValueFactory = _ => 1000 };
threads.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 0) r.AddError("--threads must be 0 (all cores) or more"); });
epochs.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--epochs must be at least 1"); });
timeLimit.Validators.Add(r => { if (r.GetValueOrDefault<double?>() is double m && !(m > 0 && double.IsFinite(m))) r.AddError("--time-limit must be a positive number of minutes"); });
holdOut.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--holdout must be at least 1"); });

var root = new RootCommand("Train the text autoencoder of 'rae train --text' on lines of Debian's fortunes and test it on lines of held-out fortunes")
{
    threads, seed, epochs, timeLimit, keepCase, holdOut,
};
root.SetAction(parse => Run(parse.GetValue(threads), parse.GetValue(seed), parse.GetValue(epochs), parse.GetValue(timeLimit),
    !parse.GetValue(keepCase), parse.GetValue(holdOut)));
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    Console.Error.WriteLine($"error: {string.Join("; ", parsed.Errors.Select(e => e.Message.TrimEnd('.')).Distinct())} (see --help)");
    return 2;
}
return parsed.Invoke();

static int Run(int threads, int seed, int? epochs, double? minutes, bool lowercase, int holdOut)
{
    if (FortuneLines.Load(FortuneDir, lowercase, holdOut, seed) is not { } split)
    {
        Console.Error.WriteLine($"error: no fortunes in {FortuneDir}: run scripts/setup.sh --samples (it installs the fortunes package)");
        return 2;
    }
    var (lines, heldOut) = split;
    // rae train --text's split: the last --valid-fraction of the lines validate, the vocabulary comes from the rest.
    int validCount = TrainingDefaults.ValidCount(lines.Length, TrainingDefaults.ValidFraction);
    var trainLines = lines[..^validCount];
    var validLines = lines[^validCount..];
    var vocabulary = Vocabulary.Build(trainLines);
    var test = OneHot.Encode(heldOut, vocabulary);
    Console.WriteLine($"{lines.Length + heldOut.Length:N0} distinct lines of 10-40 characters split from the fortunes in {FortuneDir} " +
        $"({(lowercase ? "lowercased, " : "")}whitespace collapsed), mean length {lines.Average(TextCorpus.Length):F1}: " +
        $"{trainLines.Length:N0} training, {validLines.Length:N0} validation (the last tenth), {heldOut.Length:N0} test (whole fortunes held out); " +
        $"vocabulary {vocabulary.Size} symbols (min count {vocabulary.MinCount}, unknown included)");

    var options = TrainingDefaults.Text with { Seed = seed, TimeLimit = minutes is double m ? TimeSpan.FromMinutes(m) : null };
    options = options with { Epochs = epochs ?? TrainingDefaults.TextEpochs(trainLines.Length, options.BatchSize) };
    var spec = AutoencoderSpec.Text(vocabulary.Size);
    using IComputeBackend backend = BackendFactory.Create("cpu", threads);
    using var model = new RecurrentAutoencoder(backend, spec, options.Seed, Math.Max(256, options.BatchSize));
    using var train = model.Upload(OneHot.Encode(trainLines, vocabulary));
    using var valid = model.Upload(OneHot.Encode(validLines, vocabulary));
    var clock = Stopwatch.StartNew();
    var trainer = new Trainer(model, train, valid, options)
    {
        EpochCompleted = r => Console.WriteLine($"epoch {r.Epoch}/{options.Epochs}: loss {r.Loss:F4}, val_loss {r.ValLoss:F4}, lr {r.LearningRate:G3}, " +
            $"{r.Seconds:F0} s ({clock.Elapsed.TotalMinutes:F1} min in all)"),
    };
    Console.WriteLine($"Model {spec}, {model.ParameterCount:N0} parameters on {backend.Description}; TrainingDefaults.Text: batch {options.BatchSize} " +
        $"({trainer.StepsPerEpoch:N0} steps an epoch), at most {options.Epochs} epochs, Adam {options.LearningRate:G3} cosine to {options.LearningRateFloor:G3}, " +
        $"clip-norm {options.ClipNorm}, teacher-forcing dropout {options.TeacherForcingDropout}, splices {options.SpliceProbability}, crops {options.CropProbability}, " +
        $"length buckets, early stopping after {options.EarlyStoppingPatience} epochs{(options.TimeLimit is TimeSpan t ? $", time limit {t.TotalMinutes:G4} min" : "")}");
    trainer.Run(CancellationToken.None);
    double trainSeconds = clock.Elapsed.TotalSeconds;
    Console.WriteLine(trainer.History.Count == 0 ? $"Stopped: {trainer.StopReason} before the first epoch ended"
        : $"Stopped: {trainer.StopReason} after {trainer.History.Count} epochs; the model holds the best epoch's weights (epoch {trainer.Monitor.BestEpoch}, val_loss {trainer.Monitor.Best:F4})");

    var reconstruction = model.Reconstruct(test);
    var decoded = OneHot.DecodeAll(reconstruction, test, vocabulary);
    Console.WriteLine();
    Console.WriteLine("Ten held-out lines (input | greedy reconstruction):");
    for (int i = 0; i < 10 && i < heldOut.Length; i++)
        Console.WriteLine($"  {heldOut[i],-40} | {decoded[i]}");
    var (correct, total) = OneHot.CountCorrect(reconstruction, test);
    Console.WriteLine();
    Console.WriteLine($"Held-out per-character accuracy: {(double)correct / total:F4} ({correct:N0} of {total:N0} characters, {heldOut.Length:N0} lines); " +
        $"exact lines {decoded.Zip(heldOut).Count(p => p.First == p.Second):N0}; training took {trainSeconds / 60:F1} min ({trainer.History.Count} epochs)");
    return 0;
}

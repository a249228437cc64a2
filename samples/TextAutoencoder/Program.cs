// A character-level LSTM autoencoder on short lines of real text (Debian's fortunes), used the way a user would:
//   dotnet run -c Release --project samples/TextAutoencoder
//   options: --minutes M (training budget, default 14), --epochs N, --encoder 256, --decoder 256, --lr 1e-2,
//            --batch 32, --holdout 1000, --seed 42, --threads 0, --case (keep upper case; default: lowercase),
//            --reverse (the decoder emits each line back to front), --dropout P (default 0.25),
//            --no-teacher-forcing (the decoder sees only the coding)
// Lines are split from the fortunes at spaces, 10-40 characters each (see FortuneLines.cs), lowercased, duplicates
// removed; whole fortunes are held out. The decoder is teacher forced (it sees the previous character; held-out lines
// are decoded greedily from their codings, each step fed the model's own previous character), and a training step blanks
// each previous character with probability --dropout so the decoder leans on the coding and recovers from a mistake.
// Batches are drawn from length buckets so short lines do not pay for 40 steps. The learning rate follows a cosine from
// --lr down to lr/20 over the --minutes budget.
using System.Diagnostics;
using System.Globalization;
using RecurrentAE.Kernels;
using RecurrentAE.Model;
using RecurrentAE.Model.Text;
using RecurrentAE.Model.Training;

const string FortuneDir = "/usr/share/games/fortunes";
var opt = Options.Parse(args);
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var split = FortuneLines.Load(FortuneDir, opt.Lowercase, opt.HoldOut, opt.Seed);
if (split is not { } lines)
{
    Console.Error.WriteLine($"error: no fortunes in {FortuneDir}: run scripts/setup.sh --samples (it installs the fortunes package)");
    return 2;
}
var (trainLines, heldOut) = lines;
var vocabulary = Vocabulary.Build(trainLines, minCount: 3);
var valid = OneHot.Encode(heldOut, vocabulary);
Console.WriteLine($"{trainLines.Length + heldOut.Length:N0} distinct lines of 10-40 characters split from the fortunes in {FortuneDir} " +
    $"({(opt.Lowercase ? "lowercased, " : "")}whitespace collapsed): {trainLines.Length:N0} training, {heldOut.Length:N0} held out " +
    $"(whole fortunes held out), mean length {trainLines.Average(l => TextCorpus.Length(l)):F1}; vocabulary {vocabulary.Size} symbols (min count 3, unknown included)");

using IComputeBackend backend = BackendFactory.Create("cpu", opt.Threads);
var spec = new AutoencoderSpec(vocabulary.Size, opt.Encoder, opt.Decoder, OutputHead.Softmax, ReverseOutput: opt.Reverse, TeacherForcing: opt.TeacherForcing);
using var model = new RecurrentAutoencoder(backend, spec, opt.Seed, maxBatch: Math.Max(256, opt.Batch));
model.Adam = model.Adam with { LearningRate = opt.Lr };
if (spec.TeacherForcing) model.TeacherForcingDropout = opt.Dropout;
Console.WriteLine($"Model {spec}, {model.ParameterCount:N0} parameters on {backend.Description}; Adam lr {opt.Lr}, batch {opt.Batch}{(spec.TeacherForcing && opt.Dropout > 0 ? $", previous-character dropout {opt.Dropout}" : "")}, " +
    $"at most {opt.Epochs} epochs or {opt.Minutes} minutes (the learning rate decays to lr/20 over them, cosine)");

// Length buckets (10-19, 20-29, 30-40 characters): each a resident data set padded only to its own longest line.
var buckets = trainLines.GroupBy(l => Math.Min(TextCorpus.Length(l) / 10, 3)).OrderBy(g => g.Key)
    .Select(g => model.Upload(OneHot.Encode(g.ToArray(), vocabulary))).ToArray();
var orders = buckets.Select(b => BatchOrder.Identity(backend, b.Count)).ToArray();

var clock = Stopwatch.StartNew();
var budget = TimeSpan.FromMinutes(opt.Minutes);
bool outOfTime = false;
for (int epoch = 0; epoch < opt.Epochs && !outOfTime; epoch++)
{
    var batches = new List<(int Bucket, int Start)>();
    for (int b = 0; b < buckets.Length; b++)
    {
        orders[b].Set(EpochShuffle.Order(opt.Seed + b, epoch, buckets[b].Count));
        for (int s = 0; s < buckets[b].Count; s += opt.Batch) batches.Add((b, s));
    }
    var batchRandom = new Random(opt.Seed * 31 + epoch);
    batches = [.. batches.OrderBy(_ => batchRandom.Next())];
    double lossSum = 0;
    int seen = 0;
    var epochClock = Stopwatch.StartNew();
    foreach (var (b, s) in batches)
    {
        int n = Math.Min(opt.Batch, buckets[b].Count - s);
        // Cosine decay over the time budget, from lr to lr/20: the late epochs settle instead of jumping around.
        double progress = Math.Min(1, clock.Elapsed / budget);
        model.Adam = model.Adam with { LearningRate = (float)(opt.Lr / 20 + (opt.Lr - opt.Lr / 20) * 0.5 * (1 + Math.Cos(Math.PI * progress))) };
        lossSum += model.TrainStep(buckets[b], orders[b], s, n) * (double)n;
        seen += n;
        if (clock.Elapsed > budget) { outOfTime = true; break; }
    }
    double accuracy = OneHot.Accuracy(model, valid);
    Console.WriteLine($"epoch {epoch + 1}: loss {lossSum / seen:F4}, held-out accuracy {accuracy:F4} " +
        $"({epochClock.Elapsed.TotalSeconds:F0} s, {clock.Elapsed.TotalMinutes:F1} min in all{(outOfTime ? $", stopped at the {opt.Minutes}-minute budget after {seen:N0} lines" : "")})");
}
double trainSeconds = clock.Elapsed.TotalSeconds;

var reconstruction = model.Reconstruct(valid);
var decoded = OneHot.DecodeAll(reconstruction, valid, vocabulary);
Console.WriteLine();
Console.WriteLine("Ten held-out lines (input | reconstruction):");
for (int i = 0; i < 10 && i < heldOut.Length; i++)
    Console.WriteLine($"  {heldOut[i],-40} | {decoded[i]}");
var (correct, total) = OneHot.CountCorrect(reconstruction, valid);
Console.WriteLine();
Console.WriteLine($"Held-out per-character accuracy: {(double)correct / total:F4} ({correct:N0} of {total:N0} characters, {heldOut.Length:N0} lines); " +
    $"exact lines {decoded.Zip(heldOut).Count(p => p.First == p.Second):N0}; training took {trainSeconds / 60:F1} min");
foreach (var b in buckets) b.Dispose();
foreach (var o in orders) o.Dispose();
return 0;

sealed record Options(double Minutes, int Epochs, int[] Encoder, int[] Decoder, float Lr, int Batch, int HoldOut, int Seed, int Threads, bool Lowercase, bool Reverse, bool TeacherForcing, float Dropout)
{
    public static Options Parse(string[] args)
    {
        var o = new Options(14, 1000, [256], [256], 1e-2f, 32, 1000, 42, 0, true, false, true, 0.25f);
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            static int[] Sizes(string s) => [.. s.Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture))];
            o = args[i] switch
            {
                "--minutes" => o with { Minutes = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--epochs" => o with { Epochs = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--encoder" => o with { Encoder = Sizes(Next()) },
                "--decoder" => o with { Decoder = Sizes(Next()) },
                "--lr" => o with { Lr = float.Parse(Next(), CultureInfo.InvariantCulture) },
                "--batch" => o with { Batch = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--holdout" => o with { HoldOut = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--seed" => o with { Seed = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--threads" => o with { Threads = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--case" => o with { Lowercase = false },
                "--reverse" => o with { Reverse = true },
                "--no-teacher-forcing" => o with { TeacherForcing = false, Dropout = 0 },
                "--dropout" => o with { Dropout = float.Parse(Next(), CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return o;
    }
}

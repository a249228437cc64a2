using System.Globalization;

namespace RecurrentAE.Bench.Anomaly;

/// <summary>The benchmark's size and the families it runs: --quick (default: 4 families, 300 training series each) or
/// --full (10 families, 800 training series each); each family's model trains as <c>rae train --csv</c> does by default
/// (early stopping under a 1000-epoch cap) unless --epochs, --lr or --batch-size override those defaults.</summary>
internal sealed record BenchSettings(bool Full, IReadOnlyList<Family> Families, int TrainCount, int NormalCount, int AnomalyCount,
    int? Epochs, int Seed, int Threads, string Out, float? LearningRate = null, int? BatchSize = null)
{
    /// <summary>The epoch cap as the report states it.</summary>
    public string EpochsText => Epochs is int e ? $"at most {e}" : $"at most {RecurrentAE.Model.Training.TrainingDefaults.Sequences.Epochs} (the --csv default)";

    /// <summary>Every family; the quick mode runs the first four.</summary>
    public static readonly Family[] AllFamilies =
    [
        new("sine", [Shape.Sine], 96, 96, 16, 24, 0.05),
        new("square-ragged", [Shape.Square], 50, 110, 12, 30, 0.05),
        new("ecg-3d", [Shape.Pulse, Shape.Pulse, Shape.Sine], 140, 140, 30, 45, 0.03),
        new("walk-season-ragged", [Shape.Sine], 80, 160, 20, 28, 0.05, Walk: true),
        new("sawtooth-noisy-ragged", [Shape.Sawtooth], 50, 110, 15, 25, 0.2),
        new("sine-long", [Shape.Sine], 200, 300, 20, 40, 0.05),
        new("triangle-square-2d-ragged", [Shape.Triangle, Shape.Square], 60, 120, 16, 24, 0.05),
        new("ecg-ragged", [Shape.Pulse], 100, 200, 30, 45, 0.05),
        new("sine-noisy", [Shape.Sine], 96, 96, 16, 24, 0.3),
        new("mixed-4d-walk", [Shape.Sine, Shape.Sawtooth, Shape.Square, Shape.Pulse], 120, 120, 24, 36, 0.05, Walk: true),
    ];

    public static BenchSettings? Parse(string[] args)
    {
        bool full = false;
        int? epochs = null, seed = null, threads = null, batch = null;
        float? lr = null;
        string? output = null, families = null;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--quick": full = false; break;
                case "--full": full = true; break;
                case "--epochs": epochs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--out": output = Next(); break;
                case "--lr": lr = float.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--batch-size": batch = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--families": families = Next(); break;
                default:
                    Console.Error.WriteLine($"anomaly-bench: unknown option {args[i]}; options: --quick | --full, --epochs N, --seed S, --threads T, --out FILE, --families a,b, --lr X, --batch-size B");
                    return null;
            }
        }
        var chosen = families is null ? (full ? AllFamilies : AllFamilies[..4])
            : [.. families.Split(',').Select(n => AllFamilies.FirstOrDefault(f => f.Name == n)
                ?? throw new ArgumentException($"no family '{n}'; the families: {string.Join(", ", AllFamilies.Select(f => f.Name))}"))];
        return new BenchSettings(full, chosen, full ? 800 : 300, full ? 200 : 100, full ? 40 : 20,
            epochs, seed ?? 1, threads ?? Environment.ProcessorCount, output ?? "anomaly-bench.md", lr, batch);
    }
}

using System.Text;
using System.Text.Json;
using RecurrentAE.Model.IO;

namespace RecurrentAE.Runner.Output;

/// <summary>history.csv and history.json of a run directory (written atomically).</summary>
internal static class History
{
    public const string CsvHeader = "epoch,loss,val_loss,seconds,ms_per_step,lr";

    /// <summary>The columns a sparse or variational run adds: the reconstruction and the KL per value (the loss's unit,
    /// unweighted), of training and validation (see <see cref="EpochResult"/>).</summary>
    public const string RegularizedColumns = ",reconstruction,kl,val_reconstruction,val_kl";

    static bool Regularized(IReadOnlyList<EpochResult> history) => history.Any(h => !double.IsNaN(h.Reconstruction));

    public static string ToCsv(IReadOnlyList<EpochResult> history)
    {
        bool regularized = Regularized(history);
        var sb = new StringBuilder(CsvHeader).Append(regularized ? RegularizedColumns : "").Append('\n');
        foreach (var h in history)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{h.Epoch},{h.Loss:R},{h.ValLoss:R},{h.Seconds:F3},{h.MsPerStep:F3},{h.LearningRate:R}");
            if (regularized) sb.Append(CultureInfo.InvariantCulture, $",{h.Reconstruction:R},{h.Kl:R},{h.ValReconstruction:R},{h.ValKl:R}");
            sb.Append('\n');
        }
        return sb.ToString();
    }

    public static string ToJson(IReadOnlyList<EpochResult> history)
    {
        bool regularized = Regularized(history);
        var rows = history.Select(h =>
        {
            var row = new Dictionary<string, object>
            {
                ["epoch"] = h.Epoch,
                ["loss"] = Finite(h.Loss),
                ["val_loss"] = Finite(h.ValLoss),
                ["seconds"] = Math.Round(h.Seconds, 3),
                ["ms_per_step"] = Math.Round(h.MsPerStep, 3),
                ["lr"] = Finite(h.LearningRate),
            };
            if (!regularized) return row;
            row["reconstruction"] = Finite(h.Reconstruction);
            row["kl"] = Finite(h.Kl);
            row["val_reconstruction"] = Finite(h.ValReconstruction);
            row["val_kl"] = Finite(h.ValKl);
            return row;
        });
        return JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    static object Finite(double v) => double.IsFinite(v) ? v : v.ToString(CultureInfo.InvariantCulture);

    public static void Write(string directory, IReadOnlyList<EpochResult> history)
    {
        AtomicFile.WriteAllText(Path.Combine(directory, "history.csv"), ToCsv(history));
        AtomicFile.WriteAllText(Path.Combine(directory, "history.json"), ToJson(history));
    }
}

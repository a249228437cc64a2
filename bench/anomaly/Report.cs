using System.Text;
using RecurrentAE.Model.Analysis;

namespace RecurrentAE.Bench.Anomaly;

/// <summary>The benchmark's markdown: the score rules compared, then every cell for the default rule, the plain mean
/// and the two baselines, then the cells where a baseline beats the autoencoder.</summary>
internal static class Report
{
    public static string Markdown(BenchSettings s, IReadOnlyList<SequenceScore> rules, IReadOnlyList<CellResult> cells, IReadOnlyList<string> notes, TimeSpan elapsed)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"## Anomaly benchmark ({(s.Full ? "full" : "quick")}, seed {s.Seed}, {s.EpochsText} epochs, batch {s.BatchSize?.ToString() ?? "32"}, lr {s.LearningRate?.ToString() ?? "the --csv default (1e-3, plateau)"})");
        sb.AppendLine();
        sb.AppendLine($"{s.Families.Count} families x {Generator.Kinds.Length} anomaly kinds; per family {s.TrainCount} normal training series " +
            $"(the last 10% validate), per cell {s.NormalCount} normal and {s.AnomalyCount} anomalous test series. ROC-AUC / PR-AUC (average precision; " +
            $"a random ranking scores {s.AnomalyCount / (double)(s.NormalCount + s.AnomalyCount):0.00}). Run time {elapsed.TotalMinutes:F1} min.");
        sb.AppendLine();
        foreach (var f in s.Families) sb.AppendLine($"- `{f.Name}`: {f.Describe()}");
        sb.AppendLine();

        sb.AppendLine("### Sequence-score rules (the autoencoder, same trained models)");
        sb.AppendLine();
        sb.AppendLine("| rule | mean ROC-AUC | mean PR-AUC | worst cell ROC-AUC | cells >= 0.95 ROC-AUC |");
        sb.AppendLine("|---|---|---|---|---|");
        int best = Enumerable.Range(0, rules.Count).MaxBy(r => cells.Average(c => c.Rules[r].Roc));
        for (int r = 0; r < rules.Count; r++)
            sb.AppendLine($"| `{rules[r]}`{(r == best ? " (best)" : "")}{(rules[r] == SequenceScore.Default ? " (default)" : "")} | " +
                $"{cells.Average(c => c.Rules[r].Roc):F3} | {cells.Average(c => c.Rules[r].Pr):F3} | {cells.Min(c => c.Rules[r].Roc):F3} | " +
                $"{cells.Count(c => c.Rules[r].Roc >= 0.95)}/{cells.Count} |");
        sb.AppendLine($"| rolling z-score | {cells.Average(c => c.RollingZ.Roc):F3} | {cells.Average(c => c.RollingZ.Pr):F3} | {cells.Min(c => c.RollingZ.Roc):F3} | {cells.Count(c => c.RollingZ.Roc >= 0.95)}/{cells.Count} |");
        sb.AppendLine($"| nearest neighbour | {cells.Average(c => c.Neighbour.Roc):F3} | {cells.Average(c => c.Neighbour.Pr):F3} | {cells.Min(c => c.Neighbour.Roc):F3} | {cells.Count(c => c.Neighbour.Roc >= 0.95)}/{cells.Count} |");
        sb.AppendLine();

        int def = Enumerable.Range(0, rules.Count).FirstOrDefault(r => rules[r] == SequenceScore.Default, best);
        int mean = Enumerable.Range(0, rules.Count).First(r => rules[r] == SequenceScore.PlainMean);
        sb.AppendLine($"### Every cell: ROC-AUC / PR-AUC (autoencoder with the default rule `{rules[def]}` and with the plain mean)");
        sb.AppendLine();
        sb.AppendLine($"| family | anomaly | AE `{rules[def]}` | AE `mean` | rolling z | nearest neighbour |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var c in cells)
        {
            var all = new[] { c.Rules[def], c.Rules[mean], c.RollingZ, c.Neighbour };
            double top = all.Max(m => m.Roc);
            string Cell(Metric m) => (m.Roc == top ? $"**{m.Roc:F3}**" : $"{m.Roc:F3}") + $" / {m.Pr:F3}";
            sb.AppendLine($"| {c.Family.Name} | {c.Kind} | {string.Join(" | ", all.Select(Cell))} |");
        }
        foreach (var g in cells.GroupBy(c => c.Family.Name).Append(cells.GroupBy(_ => "all").Single()))
            sb.AppendLine($"| **{g.Key}** | mean | {g.Average(c => c.Rules[def].Roc):F3} / {g.Average(c => c.Rules[def].Pr):F3} | " +
                $"{g.Average(c => c.Rules[mean].Roc):F3} / {g.Average(c => c.Rules[mean].Pr):F3} | {g.Average(c => c.RollingZ.Roc):F3} / {g.Average(c => c.RollingZ.Pr):F3} | " +
                $"{g.Average(c => c.Neighbour.Roc):F3} / {g.Average(c => c.Neighbour.Pr):F3} |");
        sb.AppendLine();

        var losses = cells.Where(c => Math.Max(c.RollingZ.Roc, c.Neighbour.Roc) > c.Rules[def].Roc + 0.01).ToList();
        sb.AppendLine($"### Where the autoencoder (`{rules[def]}`) loses to a baseline by more than 0.01 ROC-AUC: {losses.Count} of {cells.Count} cells");
        sb.AppendLine();
        foreach (var c in losses)
            sb.AppendLine($"- {c.Family.Name} / {c.Kind}: AE {c.Rules[def].Roc:F3}, rolling z {c.RollingZ.Roc:F3}, nearest neighbour {c.Neighbour.Roc:F3}");
        sb.AppendLine();
        sb.AppendLine("### Runs");
        sb.AppendLine();
        foreach (var n in notes) sb.AppendLine($"- {n}");
        return sb.ToString();
    }
}

using System.Text;
using RecurrentAE.Model.Analysis;
using RecurrentAE.Model.IO;

namespace RecurrentAE.Runner.Output;

/// <summary>
/// <c>rae score --per-step FILE</c>: every sequence's per-step errors in long format, one row per step of each sequence's
/// own length (no padding rows): <c>index,step,error,smoothed</c> - the sequence's index in the input (as in scores.csv),
/// the step (0-based, in input order), the step's reconstruction error (the mean loss over its features; cross-entropy
/// for text), and that error after the score rule's moving average (the values the rule's max/topk reads). In pandas:
/// <c>pd.read_csv(FILE)</c>, <c>.pivot(index="index", columns="step", values="error")</c> for one row per sequence.
/// </summary>
internal static class PerStepCsv
{
    public const string Header = "index,step,error,smoothed";

    public static void Write(string path, SequenceDataset data, float[] stepErrors, SequenceScore rule) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
            writer.WriteLine(Header);
            var line = new StringBuilder();
            for (int n = 0; n < data.Count; n++)
            {
                var own = stepErrors.AsSpan(n * data.Steps, data.LengthOf(n));
                var smoothed = SequenceScore.MovingAverage(own, rule.Smooth);
                for (int t = 0; t < own.Length; t++)
                {
                    line.Clear();
                    line.Append(n.ToString(CultureInfo.InvariantCulture)).Append(',').Append(t.ToString(CultureInfo.InvariantCulture)).Append(',')
                        .Append(own[t].ToString("R", CultureInfo.InvariantCulture)).Append(',')
                        .Append(((float)smoothed[t]).ToString("R", CultureInfo.InvariantCulture));
                    writer.WriteLine(line);
                }
            }
        });
}

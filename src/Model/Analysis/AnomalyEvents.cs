namespace RecurrentAE.Model.Analysis;

/// <summary>A run of flagged rows: the first and last row (inclusive), and the row and value of its highest score.</summary>
public sealed record AnomalyEvent(int Start, int End, int PeakRow, double PeakScore);

/// <summary>Flagged rows to events: each run of consecutive flagged rows is an event, and two events separated by fewer than
/// <c>minGap</c> unflagged rows merge into one (the rows between them become part of it).</summary>
public static class AnomalyEvents
{
    /// <summary>The events of <paramref name="flags"/>, in time order.</summary>
    public static List<AnomalyEvent> From(IReadOnlyList<bool> flags, IReadOnlyList<double> scores, int minGap)
    {
        if (flags.Count != scores.Count) throw new ArgumentException($"{flags.Count} flags for {scores.Count} scores");
        if (minGap < 0) throw new ArgumentOutOfRangeException(nameof(minGap));
        var events = new List<AnomalyEvent>();
        for (int r = 0; r < flags.Count; r++)
        {
            if (!flags[r]) continue;
            int start = r;
            while (r + 1 < flags.Count && flags[r + 1]) r++;
            var run = new AnomalyEvent(start, r, PeakOf(scores, start, r), 0);
            run = run with { PeakScore = scores[run.PeakRow] };
            if (events.Count > 0 && start - events[^1].End - 1 < minGap)
            {
                var last = events[^1];
                events[^1] = new AnomalyEvent(last.Start, r, run.PeakScore > last.PeakScore ? run.PeakRow : last.PeakRow, Math.Max(run.PeakScore, last.PeakScore));
            }
            else events.Add(run);
        }
        return events;
    }

    static int PeakOf(IReadOnlyList<double> scores, int start, int end)
    {
        int peak = start;
        for (int r = start + 1; r <= end; r++) if (scores[r] > scores[peak]) peak = r;
        return peak;
    }
}

using RecurrentAE.Model.Analysis;

namespace RecurrentAE.Tests.LongSeries;

/// <summary>Point scores from covering windows, smoothing, and events from flags, on hand-computed examples.</summary>
public class PointScoreTests
{
    /// <summary>6 rows, windows of 3 at rows 0, 2, 3 (the last end-aligned): row 2 is covered by windows 0 and 1, row 3 by
    /// windows 1 and 2, and so on; each row's raw score is the mean of the covering windows' errors at that row.</summary>
    [Fact]
    public void A_point_is_the_mean_of_the_windows_covering_it_then_smoothed()
    {
        var p = new PointScores(6);
        p.Add(0, [1f, 2, 3]);
        p.Add(2, [5f, 6, 7]);
        p.Add(3, [10f, 20, 30]);
        // row: 0 -> 1; 1 -> 2; 2 -> (3 + 5) / 2 = 4; 3 -> (6 + 10) / 2 = 8; 4 -> (7 + 20) / 2 = 13.5; 5 -> 30
        Assert.Equal([1, 2, 4, 8, 13.5, 30], p.Raw());
        // width 3 centred: row 0 averages rows 0-1, row 5 rows 4-5
        Assert.Equal([1.5, 7.0 / 3, 14.0 / 3, 25.5 / 3, 51.5 / 3, 21.75], p.Scores(3), new Tolerance(1e-12));
        Assert.Equal(p.Raw(), p.Scores(1));
        // width 2: row r averages rows r and r + 1
        Assert.Equal([1.5, 3, 6, 10.75, 21.75, 30], PointScores.MovingAverage(p.Raw(), 2));
    }

    [Fact]
    public void Uncovered_rows_are_NaN()
    {
        var p = new PointScores(4);
        p.Add(0, [1f, 1]);
        Assert.True(double.IsNaN(p.Raw()[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => p.Add(3, [1f, 1]));
    }

    /// <summary>Runs of flags are events; a gap shorter than minGap merges two runs, a gap of minGap or more does not.</summary>
    [Fact]
    public void Events_are_runs_of_flags_merged_across_short_gaps()
    {
        bool[] flags = [false, true, true, false, false, true, false, false, false, true, true];
        double[] scores = [0, 5, 6, 0, 0, 9, 0, 0, 0, 4, 3];
        var events = AnomalyEvents.From(flags, scores, minGap: 3);
        // rows 1-2 and 5 are 2 rows apart (< 3): one event; row 9 is 3 rows after row 5: a new one
        Assert.Equal([new AnomalyEvent(1, 5, 5, 9), new AnomalyEvent(9, 10, 9, 4)], events);
        Assert.Equal(3, AnomalyEvents.From(flags, scores, minGap: 0).Count);
        Assert.Single(AnomalyEvents.From(flags, scores, minGap: 4));
        Assert.Empty(AnomalyEvents.From(new bool[3], new double[3], 1));
    }

    sealed class Tolerance(double eps) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= eps;
        public int GetHashCode(double d) => 0;
    }
}

using RecurrentAE.Model.Analysis;

namespace RecurrentAE.Tests.Analysis;

/// <summary>The score rules and the moving average on examples computed by hand.</summary>
public class SequenceScoreTests
{
    static readonly float[] Spike = [0, 0, 9, 0, 0, 0];

    [Fact]
    public void Moving_average_is_centred_and_averages_fewer_steps_at_the_edges()
    {
        Assert.Equal([1.5, 2, 3, 4, 4.5], SequenceScore.MovingAverage([1, 2, 3, 4, 5], 3));
        Assert.Equal([0, 3, 3, 3, 0, 0], SequenceScore.MovingAverage(Spike, 3));
        // even width: one step before, two after
        Assert.Equal([3, 2.25, 2.25, 2.25, 0, 0], SequenceScore.MovingAverage(Spike, 4));
        // wider than the sequence: every step the mean of the steps its window reaches (here all of them)
        Assert.All(SequenceScore.MovingAverage([1, 3, 4], 5), v => Assert.Equal(8.0 / 3, v, 12));
        Assert.Equal([8.0 / 3, 8.0 / 3, 3.5], SequenceScore.MovingAverage([1, 3, 4], 4));
        Assert.Equal([1, 3, 4], SequenceScore.MovingAverage([1, 3, 4], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SequenceScore.MovingAverage([1], 0));
    }

    [Theory]
    [InlineData(ScoreKind.Mean, 1, 1, 1.5)]
    [InlineData(ScoreKind.Max, 1, 1, 9)]
    [InlineData(ScoreKind.Max, 3, 1, 3)]
    [InlineData(ScoreKind.Max, 4, 1, 3)]
    [InlineData(ScoreKind.TopK, 1, 2, 4.5)]
    [InlineData(ScoreKind.TopK, 3, 2, 3)]
    [InlineData(ScoreKind.TopK, 4, 3, 2.5)]
    [InlineData(ScoreKind.TopK, 1, 10, 1.5)]
    [InlineData(ScoreKind.Mean, 4, 1, 9.75 / 6)]
    public void Rules_score_a_spike_as_computed_by_hand(ScoreKind kind, int smooth, int k, double expected) =>
        Assert.Equal(expected, new SequenceScore(kind, smooth, k).Of(Spike), 12);

    [Fact]
    public void Scores_of_a_ragged_set_read_each_sequence_s_own_steps()
    {
        var data = SequenceDataset.FromRagged([new float[4], new float[2]], 1);
        float[] steps = [1, 5, 3, 1, 2, 4, float.NaN, float.NaN];
        Assert.Equal([5, 4], new SequenceScore(ScoreKind.Max).Of(steps, data));
        Assert.Equal([2.5, 3], new SequenceScore(ScoreKind.Mean).Of(steps, data));
        // width 2: a step and the next; (3 + 4 + 2 + 1) / 4 and (3 + 4) / 2
        Assert.Equal([2.5, 3.5], new SequenceScore(ScoreKind.Mean, Smooth: 2).Of(steps, data));
        Assert.Equal([4, 4], new SequenceScore(ScoreKind.Max, Smooth: 2).Of(steps, data));
        Assert.Throws<ArgumentException>(() => new SequenceScore(ScoreKind.Max).Of(new float[7], data));
    }

    [Fact]
    public void Rules_read_back_from_their_text()
    {
        foreach (var rule in new[] { SequenceScore.Default, SequenceScore.PlainMean, new SequenceScore(ScoreKind.TopK, 7, 12), new SequenceScore(ScoreKind.Max, 2) })
            Assert.Equal(rule, SequenceScore.Parse(rule.ToString()));
        Assert.Equal("topk,smooth=7,k=12", new SequenceScore(ScoreKind.TopK, 7, 12).ToString());
        Assert.Equal(new SequenceScore(ScoreKind.Max, 1), SequenceScore.Parse("max"));
        foreach (var bad in new[] { "median", "max,smooth=0", "topk,k=0", "max,width=3", "max,smooth=x" })
            Assert.Throws<FormatException>(() => SequenceScore.Parse(bad));
    }
}

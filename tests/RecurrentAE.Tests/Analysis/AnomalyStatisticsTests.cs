using RecurrentAE.Model.Analysis;

namespace RecurrentAE.Tests.Analysis;

/// <summary>ROC-AUC and average precision (PR-AUC) on examples computed by hand (scikit-learn gives the same numbers).</summary>
public class AnomalyStatisticsTests
{
    // Ranked highest first: A N A N N A.
    static readonly double[] Scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4];
    static readonly bool[] Truth = [true, false, true, false, false, true];

    [Fact]
    public void Average_precision_sums_recall_gained_times_precision()
    {
        // recall 1/3 at precision 1/1, then 1/3 at 2/3, then 1/3 at 3/6: 1/3 + 2/9 + 1/6 = 13/18.
        Assert.Equal(13.0 / 18, AnomalyStatistics.AveragePrecision(Scores, Truth), 12);
        // order does not matter, only the scores
        Assert.Equal(13.0 / 18, AnomalyStatistics.AveragePrecision([.. Scores.Reverse()], [.. Truth.Reverse()]), 12);
    }

    [Fact]
    public void Average_precision_takes_tied_scores_together()
    {
        // {0.5, 0.5} flagged together: recall 1/2 at precision 1/2; then recall 1/2 at 2/3.
        Assert.Equal(0.25 + 1.0 / 3, AnomalyStatistics.AveragePrecision([0.5, 0.5, 0.2], [true, false, true]), 12);
        Assert.Equal(1.0, AnomalyStatistics.AveragePrecision([3, 2, 1], [true, true, false]), 12);
        Assert.Throws<ArgumentException>(() => AnomalyStatistics.AveragePrecision([1, 2], [false, false]));
    }

    [Fact]
    public void Roc_auc_is_the_fraction_of_anomaly_normal_pairs_ranked_right()
    {
        // 0.9 beats 3 normals, 0.7 beats 2, 0.4 none: 5 of 9 pairs.
        Assert.Equal(5.0 / 9, AnomalyStatistics.RocAuc(Scores, Truth), 12);
        Assert.Equal(0.5, AnomalyStatistics.RocAuc([1, 1], [true, false]), 12);
    }
}

namespace RecurrentAE.Model.Analysis;

/// <summary>Scores to decisions: percentile thresholds, precision and recall, ROC-AUC, average precision (PR-AUC).</summary>
public static class AnomalyStatistics
{
    /// <summary>The p-th percentile (0..100) with linear interpolation between order statistics (numpy's default).</summary>
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0) throw new ArgumentException("no values");
        var sorted = values.OrderBy(v => v).ToArray();
        double rank = p / 100 * (sorted.Length - 1);
        int lo = (int)Math.Floor(rank), hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (rank - lo) * (sorted[hi] - sorted[lo]);
    }

    /// <summary>Precision and recall of "score &gt; threshold" against the truth (true = anomaly).</summary>
    public static (double Precision, double Recall) PrecisionRecall(IReadOnlyList<double> scores, IReadOnlyList<bool> anomaly, double threshold)
    {
        int tp = 0, fp = 0, fn = 0;
        for (int i = 0; i < scores.Count; i++)
        {
            bool flagged = scores[i] > threshold;
            if (flagged && anomaly[i]) tp++;
            else if (flagged) fp++;
            else if (anomaly[i]) fn++;
        }
        return (tp + fp == 0 ? 0 : (double)tp / (tp + fp), tp + fn == 0 ? 0 : (double)tp / (tp + fn));
    }

    /// <summary>Area under the ROC curve: the probability that an anomaly scores above a normal sequence (ties count half).</summary>
    public static double RocAuc(IReadOnlyList<double> scores, IReadOnlyList<bool> anomaly)
    {
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        // Mann-Whitney U with average ranks for ties.
        var ranks = new double[scores.Count];
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]]) j++;
            double rank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) ranks[order[k]] = rank;
            i = j + 1;
        }
        long positives = anomaly.Count(a => a), negatives = anomaly.Count - positives;
        if (positives == 0 || negatives == 0) throw new ArgumentException("ROC-AUC needs both anomalies and normal sequences");
        double sum = 0;
        for (int i = 0; i < ranks.Length; i++) if (anomaly[i]) sum += ranks[i];
        return (sum - positives * (positives + 1) / 2.0) / (positives * (double)negatives);
    }

    /// <summary>
    /// Average precision, the area under the precision-recall curve as scikit-learn's <c>average_precision_score</c>
    /// computes it: the sum over the distinct scores, highest first, of (recall gained at that score) x (precision of
    /// flagging every sequence scoring at least that much); tied scores enter together. A random ranking gives about the
    /// fraction of anomalies, a perfect one 1.
    /// </summary>
    public static double AveragePrecision(IReadOnlyList<double> scores, IReadOnlyList<bool> anomaly)
    {
        if (scores.Count != anomaly.Count) throw new ArgumentException($"{scores.Count} scores for {anomaly.Count} labels");
        long positives = anomaly.Count(a => a);
        if (positives == 0) throw new ArgumentException("average precision needs at least one anomaly");
        var order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ToArray();
        double ap = 0;
        long tp = 0, flagged = 0;
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            long gained = 0;
            while (j < order.Length && scores[order[j]] == scores[order[i]]) { if (anomaly[order[j]]) gained++; j++; }
            flagged += j - i;
            tp += gained;
            ap += gained / (double)positives * (tp / (double)flagged);
            i = j;
        }
        return ap;
    }
}

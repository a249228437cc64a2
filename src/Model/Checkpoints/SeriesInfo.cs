namespace RecurrentAE.Model.Checkpoints;

/// <summary>
/// How a model trained with <c>--series</c> cut and scores its series: the window (rows), the training stride, the stride
/// and smoothing (rows) of point scoring, the minimum gap (rows) between separate events, the feature columns in order and
/// the time column (null: none). The point-score threshold itself is <see cref="DataInfo.Threshold"/>.
/// </summary>
public sealed record SeriesInfo(int Window, int Stride, int ScoreStride, int Smoothing, int EventGap, string[] Columns, string? TimeColumn)
{
    /// <summary>Structural equality (the columns compared element by element).</summary>
    public bool Equals(SeriesInfo? other) =>
        other is not null && Window == other.Window && Stride == other.Stride && ScoreStride == other.ScoreStride
        && Smoothing == other.Smoothing && EventGap == other.EventGap && TimeColumn == other.TimeColumn && Columns.SequenceEqual(other.Columns);

    /// <summary>A hash of the numbers.</summary>
    public override int GetHashCode() => HashCode.Combine(Window, Stride, ScoreStride, Smoothing, EventGap, TimeColumn);
}

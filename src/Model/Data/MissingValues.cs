namespace RecurrentAE.Model.Data;

/// <summary>
/// The one rule for empty or NaN cells of a series: each is filled by linear interpolation (by row position) between the
/// nearest present values above and below it in the same column; a gap at the start or end of a column takes the nearest
/// present value. A column with no value at all cannot be filled.
/// </summary>
public static class MissingValues
{
    /// <summary>Fills the NaNs of column <paramref name="column"/> of a row-major series in place; returns how many it filled,
    /// or -1 when the column holds no value at all.</summary>
    public static int FillColumn(Span<float> values, int rows, int features, int column)
    {
        int filled = 0, previous = -1;
        for (int r = 0; r <= rows; r++)
        {
            if (r < rows && float.IsNaN(values[r * features + column])) continue;
            int gap = r - previous - 1;
            if (gap > 0)
            {
                if (previous < 0 && r == rows) return -1;
                float before = previous >= 0 ? values[previous * features + column] : values[r * features + column];
                float after = r < rows ? values[r * features + column] : before;
                for (int k = previous + 1; k < r; k++)
                {
                    // Between two present values: the straight line; at an end: the nearest present value.
                    double w = previous >= 0 && r < rows ? (double)(k - previous) / (r - previous) : 0;
                    values[k * features + column] = (float)(before + w * (after - (double)before));
                }
                filled += gap;
            }
            previous = r;
        }
        return filled;
    }
}

namespace RecurrentAE.Tests.LongSeries;

/// <summary>The long-series CSV reader: columns, timestamps, the missing-value rule, and errors that name the line.</summary>
public class SeriesReaderTests
{
    static TimeSeries Read(string text, SeriesReadOptions? options = null) => SeriesCsvReader.Read(new StringReader(text), "s.csv", options);

    static void AssertError(string text, string expected, SeriesReadOptions? options = null)
    {
        var e = Assert.Throws<DataFormatException>(() => Read(text, options));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Reads_timestamps_and_every_numeric_column_row_major()
    {
        var s = Read("timestamp,a,b\n2024-01-01 00:00:00,1,10\n# a comment\n\n2024-01-01T00:05:00Z,2,20\n2024-01-01 00:10:00.5,3.5,-30\n");
        Assert.Equal(3, s.Rows);
        Assert.Equal(2, s.Features);
        Assert.Equal(["a", "b"], s.Columns);
        Assert.Equal("timestamp", s.TimeColumn);
        Assert.Equal([1f, 10, 2, 20, 3.5f, -30], s.Values);
        Assert.Equal(new DateTime(2024, 1, 1, 0, 5, 0, DateTimeKind.Utc), s.Timestamps![1]);
        Assert.Equal("2024-01-01 00:10:00.5", s.RowLabel(2));
        Assert.Equal(0, s.FilledCells);
    }

    [Fact]
    public void Columns_and_time_column_can_be_named_and_rows_are_numbered_without_one()
    {
        var s = Read("when,x,y,z\n2024-01-01,1,2,3\n2024-01-02,4,5,6\n", new SeriesReadOptions("when", ["z", "x"]));
        Assert.Equal(["z", "x"], s.Columns);
        Assert.Equal([3f, 1, 6, 4], s.Values);
        var plain = Read("x\n1\n2\n");
        Assert.Null(plain.Timestamps);
        Assert.Equal("1", plain.RowLabel(1));
    }

    [Fact]
    public void Repeated_timestamps_are_allowed()
    {
        var s = Read("timestamp,v\n2024-03-09 03:00:00,1\n2024-03-09 03:00:00,2\n");
        Assert.Equal(2, s.Rows);
    }

    [Theory]
    [InlineData("timestamp,v\n2024-01-01 00:00:00,1\n2024-13-01 00:00:00,2\n", "line 3: '2024-13-01 00:00:00' in column 'timestamp' is not a timestamp")]
    [InlineData("timestamp,v\n2024-01-01 00:10:00,1\n2024-01-01 00:20:00,2\n2024-01-01 00:05:00,3\n", "line 4: timestamp '2024-01-01 00:05:00' is before the one on line 3")]
    [InlineData("timestamp,v\n2024-01-01 00:00:00,1\n\n2024-01-01 00:01:00,abc\n", "line 4, column 'v': 'abc' is not a finite number")]
    [InlineData("v,w\n1,2\n3\n", "line 3: 1 cells, the header (line 1) names 2 columns")]
    [InlineData("v\n1\ninf\n", "line 3, column 'v': 'inf' is not a finite number")]
    [InlineData("v,w\n1,\n2,NaN\n", "column 'w' has no value at all")]
    [InlineData("timestamp\n2024-01-01\n", "no value column besides the time column")]
    [InlineData("v\n", "no rows after the header (line 1)")]
    [InlineData("", "empty file")]
    public void Errors_name_the_line(string text, string expected) => AssertError(text, expected);

    [Fact]
    public void Unknown_columns_are_errors()
    {
        AssertError("a,b\n1,2\n", "no column 'c' (--columns)", new SeriesReadOptions(null, ["c"]));
        AssertError("a,b\n1,2\n", "no column 't' (--time-column)", new SeriesReadOptions("t"));
    }

    /// <summary>The rule: interior gaps are linear between the neighbours in the same column; end gaps take the nearest value.</summary>
    [Fact]
    public void Empty_and_NaN_cells_are_interpolated_and_counted()
    {
        var s = Read("a,b\n,1\n2,\n,NaN\nnan,7\n8,NA\n");
        // a: [_, 2, _, _, 8] -> [2, 2, 4, 6, 8]; b: [1, _, _, 7, _] -> [1, 3, 5, 7, 7]
        Assert.Equal([2f, 1, 2, 3, 4, 5, 6, 7, 8, 7], s.Values);
        Assert.Equal(6, s.FilledCells);
    }

    [Fact]
    public void FillColumn_counts_and_reports_an_all_missing_column()
    {
        float[] v = [float.NaN, 1, float.NaN, float.NaN, float.NaN, 5];
        Assert.Equal(-1, MissingValues.FillColumn(v, 3, 2, 0));
        Assert.Equal(1, MissingValues.FillColumn(v, 3, 2, 1));
        Assert.Equal(3f, v[3]);
    }
}

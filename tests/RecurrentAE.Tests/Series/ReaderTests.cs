namespace RecurrentAE.Tests.Series;

public class ReaderTests
{
    [Fact]
    public void Csv_rows_are_sequences_of_steps_by_features()
    {
        var d = CsvSequenceReader.Read(SeriesFiles.Write("1,2,3,4\n5,6,7,8\n"), features: 2);
        Assert.Equal((2, 2, 2), (d.Count, d.Steps, d.Features));
        Assert.Null(d.Lengths);
        Assert.Null(d.Labels);
        Assert.Equal([1f, 2, 3, 4, 5, 6, 7, 8], d.Values);
    }

    [Fact]
    public void Csv_ragged_rows_are_padded_with_their_lengths()
    {
        var d = CsvSequenceReader.Read(SeriesFiles.Write("# comment\n1,2,3\n\n4\n5,6\n"));
        Assert.Equal((3, 3), (d.Count, d.Steps));
        Assert.Equal([3, 1, 2], d.Lengths!);
        Assert.Equal([1f, 2, 3, 4, 0, 0, 5, 6, 0], d.Values);
    }

    [Fact]
    public void Csv_header_adds_a_label_column()
    {
        var d = CsvSequenceReader.Read(SeriesFiles.Write("label,x\ncat,1,2\ndog,3\ncat,4,5\n"));
        Assert.Equal([0, 1, 0], d.Labels!);
        Assert.Equal(["cat", "dog"], d.LabelNames!);
        Assert.Equal("dog", d.LabelText(1));
        Assert.Equal([2, 1, 2], d.Lengths!);
    }

    [Theory]
    [InlineData("1,2\n3,abc\n", "line 2")]
    [InlineData("1,2\n\n1,2,3\n", "line 3")]
    [InlineData("1,2\n1,,3\n", "line 2")]
    [InlineData("1,2\n1,NaN\n", "line 2")]
    public void Csv_malformed_rows_name_their_line(string text, string where)
    {
        var e = Assert.Throws<DataFormatException>(() => CsvSequenceReader.Read(SeriesFiles.Write(text), features: text.Contains("1,2,3") ? 2 : 1));
        Assert.Contains(where, e.Message);
    }

    [Fact]
    public void Npy_float32_three_dimensional()
    {
        var values = Enumerable.Range(0, 2 * 3 * 2).Select(i => (double)i).ToArray();
        var d = NpyReader.Read(SeriesFiles.WriteNpy(values, [2, 3, 2], float64: false));
        Assert.Equal((2, 3, 2), (d.Count, d.Steps, d.Features));
        Assert.Equal(values.Select(v => (float)v), d.Values);
    }

    [Fact]
    public void Npy_float64_two_dimensional_has_one_feature()
    {
        double[] values = [0.5, -1.25, 3, 4, 5, 6.125];
        var d = NpyReader.Read(SeriesFiles.WriteNpy(values, [3, 2], float64: true));
        Assert.Equal((3, 2, 1), (d.Count, d.Steps, d.Features));
        Assert.Equal(values.Select(v => (float)v), d.Values);
    }

    [Fact]
    public void Npy_wrong_magic_is_refused()
    {
        var bytes = SeriesFiles.Npy([1, 2], [1, 2], float64: false, magic: "\u0093NUMPX");
        var e = Assert.Throws<DataFormatException>(() => NpyReader.Read(bytes, "x.npy"));
        Assert.Contains("magic", e.Message);
    }

    [Fact]
    public void Standardisation_round_trips_and_leaves_padding_zero()
    {
        var data = SequenceDataset.FromRagged([[1f, 10, 3, 30], [5f, 50]], features: 2);
        var s = Standardizer.Fit(data);
        Assert.Equal(3f, s.Mean[0], 4);
        Assert.Equal(30f, s.Mean[1], 4);
        var z = s.Apply(data);
        Assert.Equal(0f, z.Values[6]); // padding of the second sequence
        Assert.Equal(0f, z.Values[7]);
        double mean0 = (z.Values[0] + z.Values[2] + z.Values[4]) / 3.0;
        Assert.Equal(0, mean0, 5);
        var back = s.Invert(z);
        for (int i = 0; i < 6; i++) Assert.Equal(data.Values[i], back.Values[i], 4);
    }
}

using RecurrentAE.Runner.Output;
using RecurrentAE.Tests.Series;
using static RecurrentAE.Tests.Runner.CliTests;

namespace RecurrentAE.Tests.Runner;

/// <summary>The memory <c>rae train</c>'s first line reports: resident data and the model's training state, in bytes
/// counted by hand for small shapes.</summary>
public class MemoryFootprintTests
{
    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(999, "999 B")]
    [InlineData(1000, "1.00 kB")]
    [InlineData(3360, "3.36 kB")]
    [InlineData(999_600, "1.00 MB")]
    [InlineData(1_960_768, "1.96 MB")]
    [InlineData(15_700_000, "15.7 MB")]
    [InlineData(188_400_000, "188 MB")]
    [InlineData(2_500_000_000, "2.50 GB")]
    public void Bytes_are_written_with_three_significant_digits(long bytes, string expected) =>
        Assert.Equal(expected, MemoryFootprint.Bytes(bytes));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Resident_bytes_count_values_reversed_targets_and_the_order(bool reversed)
    {
        using var backend = BackendFactory.Create("cpu", 1);
        var spec = new AutoencoderSpec(3, [5, 2], [5], ReverseOutput: reversed);
        using var model = new RecurrentAutoencoder(backend, spec, seed: 1, maxBatch: 8);
        var values = Enumerable.Range(0, 7 * 4 * 3).Select(i => i / 100f).ToArray();
        using var data = model.Upload(new SequenceDataset(values, 7, 4, 3));
        // 7 sequences x 4 steps x 3 features floats + 7 order indices; sequences of one length are read back to front in
        // place when the decoder's targets are reversed (GatherLayout.Reversed), so no second copy
        Assert.Equal(4L * 7 * 4 * 3 + 4 * 7, data.ResidentBytes);
        // ragged sequences keep one reversed copy (each is reversed within its own length)
        using var ragged = model.Upload(new SequenceDataset(values, 7, 4, 3, lengths: [4, 3, 4, 2, 4, 1, 4]));
        Assert.Equal(4L * 7 * 4 * 3 * (reversed ? 2 : 1) + 4 * 7, ragged.ResidentBytes);
        // LSTM 3->5: 4*5*(3+5+1) = 180; LSTM 5->2: 4*2*(5+2+1) = 64; LSTM 2->5: 4*5*(2+5+1) = 160; dense 5->3: 18
        Assert.Equal(422, model.ParameterCount);
        Assert.Equal(4L * 4 * 422, model.ParameterStateBytes);
        Assert.Equal($"data {MemoryFootprint.Bytes(2 * data.ResidentBytes)}, model 6.75 kB", MemoryFootprint.Describe(model, data, data));
    }

    [Fact]
    public void Train_first_line_says_how_much_memory_data_and_model_take()
    {
        // 40 sequences of 10 steps x 1 feature: 36 train, 4 validate; a csv model decodes in reverse, read back to front in
        // place (one length, no copy), so each set is held once plus its order: 36 x 10 x 4 + 36 x 4 + 4 x 10 x 4 + 4 x 4 = 1760 B
        var csv = SeriesFiles.Write(SeriesFiles.Sines(40, 10, labels: false));
        var r = Rae("train", "--csv", csv, "--epochs", "1", "--max-steps", "1", "--out", TestIdx.TempDir(),
            "--encoder", "6,3", "--decoder", "6", "--batch-size", "8", "--accelerator", "cpu", "--threads", "1");
        Assert.True(r.Code == 0, r.Err);
        var first = r.Out.Split('\n')[0];
        // parameters: LSTM 1->6: 4*6*(1+6+1) = 192; 6->3: 4*3*(6+3+1) = 120; 3->6: 4*6*(3+6+1) = 240; dense 6->1: 7
        // = 559, held four times (parameters, gradients, two Adam moments) as float32: 8944 B
        Assert.Contains("559 parameters", first, StringComparison.Ordinal);
        Assert.Contains("data 1.76 kB, model 8.94 kB", first, StringComparison.Ordinal);
    }
}

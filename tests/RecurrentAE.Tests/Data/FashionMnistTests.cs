namespace RecurrentAE.Tests.Data;

public class FashionMnistTests
{
    [Fact]
    public void SplitsValidationFirstAndScalesPixels()
    {
        var dir = TestIdx.FashionDirectory(12, rows: 3, cols: 2, gzip: true, testCount: 4);
        var data = FashionMnist.LoadFrom(dir, validationCount: 5);
        Assert.Equal(5, data.Validation.Count);
        Assert.Equal(7, data.Train.Count);
        Assert.Equal(4, data.Test!.Count);
        Assert.Equal(3, data.Train.Steps);
        Assert.Equal(2, data.Train.Features);
        // validation = images 0..4, training = images 5..11, pixels / 255, labels kept
        Assert.Equal(TestIdx.Pixel(0, 0) / 255f, data.Validation.Values[0]);
        Assert.Equal(TestIdx.Pixel(4, 5) / 255f, data.Validation.Values[4 * 6 + 5]);
        Assert.Equal(TestIdx.Pixel(5, 0) / 255f, data.Train.Values[0]);
        Assert.Equal(TestIdx.Pixel(11, 3) / 255f, data.Train.Values[6 * 6 + 3]);
        Assert.Equal([0, 1, 2, 3, 4], data.Validation.Labels!);
        Assert.Equal([5, 6, 7, 8, 9, 0, 1], data.Train.Labels!);
        Assert.Equal(12 - 5, data.Train.Values.Length / 6);
    }

    /// <summary>Every value the streaming loader gives equals what the former one computed (all images' bytes / 255f,
    /// then copies of the two ranges), for the training split and the test set, raw and gzip.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EveryValueMatchesTheBytesOver255(bool gzip)
    {
        const int count = 23, rows = 4, cols = 3, validation = 6, test = 9;
        var dir = TestIdx.FashionDirectory(count, rows, cols, gzip, testCount: test);
        var data = FashionMnist.LoadFrom(dir, validationCount: validation);
        var images = IdxReader.ReadImages(Path.Combine(dir, "train-images-idx3-ubyte" + (gzip ? ".gz" : "")));
        var before = Array.ConvertAll(images.Values, b => b / 255f); // the former loader's formula, over all images
        int size = rows * cols;
        Assert.Equal(before[..(validation * size)], data.Validation.Values);
        Assert.Equal(before[(validation * size)..], data.Train.Values);
        Assert.Equal(Enumerable.Range(0, validation).Select(n => n % 10), data.Validation.Labels!);
        Assert.Equal(Enumerable.Range(validation, count - validation).Select(n => n % 10), data.Train.Labels!);
        for (int n = 0; n < test; n++)
            for (int i = 0; i < size; i++)
                Assert.Equal(TestIdx.Pixel(n, i) / 255f, data.Test!.Values[n * size + i]);
        Assert.Equal(test * size, data.Test!.Values.Length);
        Assert.Equal((rows, cols), (data.Train.Steps, data.Train.Features));
    }

    [Fact]
    public void DefaultSplitHoldsOutTheFirst5000()
    {
        var dir = TestIdx.FashionDirectory(5003);
        var data = FashionMnist.Load(dir);
        Assert.Equal(5000, data.Validation.Count);
        Assert.Equal(3, data.Train.Count);
        Assert.Null(data.Test);
        Assert.Equal(TestIdx.Pixel(5000, 0) / 255f, data.Train.Values[0]);
        Assert.Equal(28, data.Train.Steps);
        Assert.Equal(28, data.Train.Features);
    }

    [Fact]
    public void MismatchedLabelCountIsAnError()
    {
        var dir = TestIdx.FashionDirectory(6, rows: 2, cols: 2);
        TestIdx.Write(Path.Combine(dir, "train-labels-idx1-ubyte"), TestIdx.Bytes(2049, [5], [1, 2, 3, 4, 5]), gzip: false);
        var e = Assert.Throws<DataFormatException>(() => FashionMnist.LoadFrom(dir, validationCount: 2));
        Assert.Contains("5 labels for 6 images", e.Message);
    }

    [Fact]
    public void MissingDirectorySaysWhereItLookedAndHowToGetTheData()
    {
        var e = Assert.Throws<DatasetNotFoundException>(() => FashionMnist.Locate("/nonexistent/rae-data"));
        Assert.Contains("/nonexistent/rae-data", e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void SearchOrderIsDataThenEnvThenKerasThenSystem()
    {
        Assert.Equal(["/x"], FashionMnist.Candidates("/x"));
        var defaults = FashionMnist.Candidates(null);
        Assert.EndsWith(Path.Combine(".keras", "datasets", "fashion-mnist"), defaults[^2]);
        Assert.Equal("/usr/share/datasets/fashion-mnist", defaults[^1]);
    }

    [Fact]
    public void ClassNames()
    {
        Assert.Equal(10, FashionMnist.ClassNames.Count);
        Assert.Equal("T-shirt/top", FashionMnist.ClassName(0));
        Assert.Equal("Ankle boot", FashionMnist.ClassName(9));
    }

    /// <summary>The real files, when this machine has them (the split logic itself is tested above on synthetic files).</summary>
    [Fact]
    public void RealSplitWhenInstalled()
    {
        const string dir = "/usr/share/datasets/fashion-mnist";
        // scripts/setup.sh (run by .ci/run) installs Debian's dataset-fashion-mnist: its absence is a failure, not a skip.
        Assert.True(File.Exists(Path.Combine(dir, "train-images-idx3-ubyte.gz")), $"no Fashion-MNIST in {dir}: run scripts/setup.sh");
        var data = FashionMnist.LoadFrom(dir);
        Assert.Equal(5000, data.Validation.Count);
        Assert.Equal(55000, data.Train.Count);
        Assert.Equal(28 * 28 * 55000, data.Train.Values.Length);
        Assert.Equal(9, data.Validation.Labels![0]); // the first training image is an ankle boot
        Assert.InRange(data.Train.Values.Max(), 0.99f, 1f);
        if (data.Test is not null) Assert.Equal(10000, data.Test.Count);
    }
}

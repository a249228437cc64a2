namespace RecurrentAE.Model.Data;

/// <summary>Fashion-MNIST as sequences: each image is 28 steps (rows) of 28 features (pixels / 255).</summary>
public sealed class FashionMnistData
{
    /// <summary>The directory the files were read from.</summary>
    public required string Directory { get; init; }
    /// <summary>Training images 5,000..59,999 of the training file.</summary>
    public required SequenceDataset Train { get; init; }
    /// <summary>Validation = training-file images 0..4,999 (as in the reference Keras example).</summary>
    public required SequenceDataset Validation { get; init; }
    /// <summary>The t10k test set, when its files are present.</summary>
    public SequenceDataset? Test { get; init; }
}

/// <summary>Finds and reads Fashion-MNIST (the gzipped IDX files of Debian's dataset-fashion-mnist, Keras's download, or --data DIR / RAE_DATA).</summary>
public static class FashionMnist
{
    /// <summary>The leading training images that validate (as in the Keras example).</summary>
    public const int ValidationCount = 5000;
    /// <summary>The training images' file name (without .gz).</summary>
    public const string TrainImages = "train-images-idx3-ubyte";
    /// <summary>The training labels' file name (without .gz).</summary>
    public const string TrainLabels = "train-labels-idx1-ubyte";
    /// <summary>The test images' file name (without .gz).</summary>
    public const string TestImages = "t10k-images-idx3-ubyte";
    /// <summary>The test labels' file name (without .gz).</summary>
    public const string TestLabels = "t10k-labels-idx1-ubyte";

    /// <summary>The ten class names, by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The class name of <paramref name="label"/>, or the number itself when it is not a class.</summary>
    public static string ClassName(int label) =>
        label >= 0 && label < ClassNames.Count ? ClassNames[label] : label.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The directories searched, in order: --data DIR, $RAE_DATA, ~/.keras/datasets/fashion-mnist,
    /// /usr/share/datasets/fashion-mnist.</summary>
    public static IReadOnlyList<string> Candidates(string? explicitDirectory)
    {
        var list = new List<string>();
        if (!string.IsNullOrEmpty(explicitDirectory))
        {
            list.Add(explicitDirectory);
            return list; // an explicit choice is not silently replaced by another
        }
        var env = Environment.GetEnvironmentVariable("RAE_DATA");
        if (!string.IsNullOrEmpty(env)) list.Add(env);
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (!string.IsNullOrEmpty(home)) list.Add(Path.Combine(home, ".keras", "datasets", "fashion-mnist"));
        list.Add("/usr/share/datasets/fashion-mnist");
        return list;
    }

    /// <summary>The first candidate directory holding the training images and labels (gz or raw).</summary>
    public static string Locate(string? explicitDirectory)
    {
        var candidates = Candidates(explicitDirectory);
        foreach (var dir in candidates)
            if (FindFile(dir, TrainImages) is not null && FindFile(dir, TrainLabels) is not null)
                return dir;
        string where = string.Join(", ", candidates);
        throw new DatasetNotFoundException(string.IsNullOrEmpty(explicitDirectory)
            ? $"Fashion-MNIST not found (looked in {where}); install it with 'sudo apt-get install dataset-fashion-mnist', or put {TrainImages}.gz and {TrainLabels}.gz in a directory and pass --data DIR or set RAE_DATA"
            : $"Fashion-MNIST not found in --data {explicitDirectory} (needs {TrainImages}.gz and {TrainLabels}.gz); install it with 'sudo apt-get install dataset-fashion-mnist' or omit --data to search the default places");
    }

    /// <summary>Locates and loads the data set (validation = first 5,000 training images).</summary>
    public static FashionMnistData Load(string? explicitDirectory = null, bool includeTest = true)
        => LoadFrom(Locate(explicitDirectory), includeTest, ValidationCount);

    /// <summary>Loads from a directory; <paramref name="validationCount"/> leading images become the validation set.
    /// The pixels are scaled straight from the file's bytes into the two sets (no intermediate copy of all images),
    /// and the bytes are dropped before the test set is read.</summary>
    public static FashionMnistData LoadFrom(string directory, bool includeTest = true, int validationCount = ValidationCount)
    {
        var (validation, train) = ReadTrainingSplit(directory, validationCount);
        SequenceDataset? test = null;
        if (includeTest && ReadPair(directory, TestImages, TestLabels) is { } t)
            test = ToSequences(t.Images, t.Labels, 0, t.Images.Count);
        return new FashionMnistData { Directory = directory, Validation = validation, Train = train, Test = test };
    }

    static (SequenceDataset Validation, SequenceDataset Train) ReadTrainingSplit(string directory, int validationCount)
    {
        var (images, labels) = ReadPair(directory, TrainImages, TrainLabels)
            ?? throw new DatasetNotFoundException($"Fashion-MNIST training files not found in {directory}");
        if (validationCount < 0 || validationCount >= images.Count)
            throw new DataFormatException($"{directory}: {images.Count} training images, too few to hold out {validationCount} for validation");
        return (ToSequences(images, labels, 0, validationCount),
                ToSequences(images, labels, validationCount, images.Count - validationCount));
    }

    /// <summary>Images [start, start + count) as sequences of rows, pixels / 255.</summary>
    static SequenceDataset ToSequences(IdxData images, IdxData labels, int start, int count)
    {
        int steps = images.Dimensions[1], features = images.Dimensions[2], size = steps * features;
        var pixels = images.Values.AsSpan(start * size, count * size);
        var values = GC.AllocateUninitializedArray<float>(pixels.Length);
        for (int i = 0; i < values.Length; i++) values[i] = pixels[i] / 255f;
        var labelValues = new int[count];
        for (int i = 0; i < count; i++) labelValues[i] = labels.Values[start + i];
        return new SequenceDataset(values, count, steps, features, labelValues);
    }

    static (IdxData Images, IdxData Labels)? ReadPair(string directory, string imagesName, string labelsName)
    {
        var imagesPath = FindFile(directory, imagesName);
        var labelsPath = FindFile(directory, labelsName);
        if (imagesPath is null || labelsPath is null) return null;
        var images = IdxReader.ReadImages(imagesPath);
        var labels = IdxReader.ReadLabels(labelsPath);
        Check(images, labels, imagesPath, labelsPath);
        return (images, labels);
    }

    /// <summary>Images (count, rows, cols) and their labels as sequences of rows (pixels / 255); a mismatch throws
    /// <see cref="DataFormatException"/> naming <paramref name="imagesPath"/> or <paramref name="labelsPath"/>.</summary>
    internal static SequenceDataset Sequences(IdxData images, IdxData labels, string imagesPath, string labelsPath)
    {
        Check(images, labels, imagesPath, labelsPath);
        return ToSequences(images, labels, 0, images.Count);
    }

    static void Check(IdxData images, IdxData labels, string imagesPath, string labelsPath)
    {
        if (images.Dimensions.Length != 3)
            throw new DataFormatException($"{imagesPath}: expected 3 dimensions, found {images.Dimensions.Length}");
        if (labels.Dimensions.Length != 1)
            throw new DataFormatException($"{labelsPath}: expected 1 dimension, found {labels.Dimensions.Length}");
        if (labels.Count != images.Count)
            throw new DataFormatException($"{labelsPath}: {labels.Count} labels for {images.Count} images in {imagesPath}");
        if (images.Dimensions[1] == 0 || images.Dimensions[2] == 0)
            throw new DataFormatException($"{imagesPath}: images of {images.Dimensions[1]} x {images.Dimensions[2]} pixels hold nothing to read");
    }

    static string? FindFile(string directory, string name)
    {
        foreach (var candidate in new[] { name + ".gz", name })
        {
            var path = Path.Combine(directory, candidate);
            if (File.Exists(path)) return path;
        }
        return null;
    }
}

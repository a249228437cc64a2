using RecurrentAE.Tests.Model;

namespace RecurrentAE.Tests.LongSeries;

/// <summary>Windows gathered from the one resident series train and score exactly like the same windows materialised as
/// ordinary sequences, forwards and with the reversed decoder (whose targets are the same series read back to front).</summary>
public class WindowTrainingTests
{
    const int Rows = 41, Features = 2, Window = 7, Stride = 3;

    static SeriesWindows Windows()
    {
        var rnd = new Random(11);
        var v = new float[Rows * Features];
        for (int r = 0; r < Rows; r++)
        {
            v[r * Features] = (float)Math.Sin(r * 0.7) + 0.1f * (float)rnd.NextDouble();
            v[r * Features + 1] = (float)Math.Cos(r * 0.3) - 0.2f * (float)rnd.NextDouble();
        }
        return new SeriesWindows(v, Features, 3, Rows - 3, Window, Stride);
    }

    static SequenceDataset Materialise(SeriesWindows w)
    {
        var values = new float[w.Count * Window * Features];
        for (int i = 0; i < w.Count; i++) w.Segment.Slice(w.StartOf(i) * Features, Window * Features).CopyTo(values.AsSpan(i * Window * Features));
        return new SequenceDataset(values, w.Count, Window, Features);
    }

    static int[] Bits(float[] v) => v.Select(BitConverter.SingleToInt32Bits).ToArray();

    [Theory]
    [InlineData("cpu", false)]
    [InlineData("cpu", true)]
    [InlineData("ilgpu-cpu", true)]
    public void Training_on_resident_windows_matches_materialised_windows_bit_for_bit(string backendName, bool reverse)
    {
        var windows = Windows();
        var spec = new AutoencoderSpec(Features, [5, 3], [5], OutputHead.Linear, ReverseOutput: reverse);
        var options = new TrainingOptions(Epochs: 2, BatchSize: 4, LearningRate: 1e-2f, Seed: 3);
        float[] Train(Func<RecurrentAutoencoder, DeviceDataset> upload)
        {
            using var backend = TestBackends.Create(backendName);
            using var model = new RecurrentAutoencoder(backend, spec, options.Seed);
            using var train = upload(model);
            using var valid = upload(model);
            new Trainer(model, train, valid, options).Run(CancellationToken.None);
            return model.GetParameters();
        }
        var resident = Train(m => m.Upload(windows));
        var materialised = Train(m => m.Upload(Materialise(windows)));
        Assert.Equal(Bits(materialised), Bits(resident));
    }

    /// <summary>Per-step errors of resident windows, in input step order: their mean over steps is each window's
    /// <see cref="RecurrentAutoencoder.SequenceErrors"/>, and each equals the squared error of the materialised reconstruction.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Step_errors_of_resident_windows_match_the_reconstruction(bool reverse)
    {
        var windows = Windows();
        var host = Materialise(windows);
        using var backend = TestBackends.Create("cpu");
        using var model = new RecurrentAutoencoder(backend, new AutoencoderSpec(Features, [5, 3], [5], OutputHead.Linear, ReverseOutput: reverse), 4);
        var reconstruction = model.Reconstruct(host);
        var sequenceErrors = model.SequenceErrors(host);
        var steps = new float[windows.Count * Window];
        int calls = 0;
        using (var data = model.Upload(windows))
            model.ForEachBatchStepErrors(data, (first, batch, errors) =>
            {
                calls++;
                errors.AsSpan(0, batch * Window).CopyTo(steps.AsSpan(first * Window));
            }, batchSize: 4);
        Assert.Equal((windows.Count + 3) / 4, calls);
        for (int i = 0; i < windows.Count; i++)
        {
            for (int t = 0; t < Window; t++)
            {
                double expected = 0;
                for (int f = 0; f < Features; f++)
                {
                    int o = (i * Window + t) * Features + f;
                    expected += (reconstruction[o] - (double)host.Values[o]) * (reconstruction[o] - (double)host.Values[o]);
                }
                Assert.Equal(expected / Features, steps[i * Window + t], 1e-5);
            }
            Assert.Equal(sequenceErrors[i], steps.AsSpan(i * Window, Window).ToArray().Average(), 1e-5);
        }
    }
}

using RecurrentAE.Kernels;
using RecurrentAE.Model;
using RecurrentAE.Model.Text;
using Xunit.Abstractions;

namespace RecurrentAE.Tests.Model;

/// <summary>Random-splice augmentation (<see cref="SequenceSplices"/>, <see cref="TrainingOptions.SpliceProbability"/>).</summary>
public sealed class SequenceSpliceTests(ITestOutputHelper output)
{
    [Fact]
    public void Words_are_the_runs_between_separators_or_single_steps_without_one()
    {
        var vocabulary = Vocabulary.Build(["ab cd  e "]);
        var data = OneHot.Encode(["ab cd  e ", "xy"], vocabulary);
        Assert.Equal(vocabulary.IndexOf(new System.Text.Rune(' ')), data.WordSeparator);
        Assert.Equal([(0, 2), (3, 2), (7, 1)], SequenceSplices.Words(data.Sequence(0), data.LengthOf(0), data.Features, data.WordSeparator));
        Assert.Equal([(0, 1), (1, 1)], SequenceSplices.Words(data.Sequence(1), data.LengthOf(1), data.Features, null));
        Assert.Null(OneHot.Encode(["xy"], Vocabulary.Build(["xy"])).WordSeparator);
    }

    [Fact]
    public void A_splice_starts_with_its_own_words_joins_whole_words_fits_and_repeats()
    {
        int seed = ModelTestData.FreshSeed();
        var random = new Random(seed);
        const int steps = 40;
        var lines = Enumerable.Range(0, 200).Select(_ => RandomLine(random, random.Next(3, steps + 1))).ToList();
        var data = OneHot.Encode(lines, Vocabulary.Build(lines));
        var words = Enumerable.Range(0, data.Count).Select(i => SequenceSplices.Words(data.Sequence(i), data.LengthOf(i), data.Features, data.WordSeparator)).ToList();
        var lengths = new List<int>();
        int many = 0;
        for (int i = 0; i < data.Count; i++)
        {
            var parts = SequenceSplices.Draw(seed, 5, i, words, data.LengthOf, data.Steps, separated: true);
            Assert.Equal(parts, SequenceSplices.Draw(seed, 5, i, words, data.LengthOf, data.Steps, separated: true));
            Assert.NotEmpty(parts);
            Assert.Equal(i, parts[0].Item);
            foreach (var p in parts)
            {
                var text = lines[p.Item];
                Assert.True(p.Start == 0 || text[p.Start - 1] == ' ', $"seed {seed}: a part starts inside a word");
                Assert.True(p.Start + p.Length == text.Length || text[p.Start + p.Length] == ' ', $"seed {seed}: a part ends inside a word");
                Assert.NotEqual(' ', text[p.Start]);
            }
            int length = parts.Sum(p => p.Length) + parts.Count - 1;
            Assert.InRange(length, 1, steps);
            lengths.Add(length);
            if (parts.Count > 1) many++;
        }
        output.WriteLine($"seed {seed}: mean splice length {lengths.Average():F1} (lines {lines.Average(l => l.Length):F1}); {many} of {data.Count} join several lines");
        Assert.InRange(lengths.Average(), lines.Average(l => l.Length) * 0.7, lines.Average(l => l.Length) * 1.3);
        Assert.True(many > data.Count / 2, $"seed {seed}: only {many} splices join several lines");
        int chosen = Enumerable.Range(0, 20_000).Count(i => SequenceSplices.Chosen(seed, 1, i, 0.3f));
        Assert.InRange(chosen, 6000 * 0.95, 6000 * 1.05);
        Assert.False(SequenceSplices.Chosen(seed, 1, 0, 0f));
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void An_epoch_with_splices_is_an_epoch_on_the_spliced_text_and_the_data_comes_back_unchanged(string backendName)
    {
        int seed = ModelTestData.FreshSeed();
        var random = new Random(seed);
        var lines = Enumerable.Range(0, 9).Select(_ => RandomLine(random, random.Next(3, 12))).ToList();
        var vocabulary = Vocabulary.Build(lines);
        var data = OneHot.Encode(lines, vocabulary);
        var spec = new AutoencoderSpec(data.Features, [5], [6], OutputHead.Softmax, TeacherForcing: true);
        var options = new TrainingOptions(Epochs: 1, BatchSize: 4, Seed: seed, SpliceProbability: 1f);
        using var backend = TestBackends.Create(backendName);

        using var augmented = new RecurrentAutoencoder(backend, spec, seed);
        float[] before, after;
        using (var device = augmented.Upload(data))
        {
            before = Values(backend, device);
            new Trainer(augmented, device, device, options).Run(CancellationToken.None);
            after = Values(backend, device);
            Assert.Equal(data.Lengths, device.Lengths);
        }
        Assert.Equal(before, after);

        // the same epoch on the spliced lines written out as text, without the option
        var words = Enumerable.Range(0, data.Count).Select(i => SequenceSplices.Words(data.Sequence(i), data.LengthOf(i), data.Features, data.WordSeparator)).ToList();
        var spliced = Enumerable.Range(0, data.Count).Select(i => string.Join(' ',
            SequenceSplices.Draw(seed, 0, i, words, data.LengthOf, data.Steps, separated: true).Select(p => lines[p.Item].Substring(p.Start, p.Length)))).ToList();
        Assert.Contains(spliced, s => !lines.Contains(s));
        var splicedData = OneHot.Encode(spliced, vocabulary);
        var padded = new float[data.Values.Length];
        for (int i = 0; i < data.Count; i++) splicedData.Sequence(i).CopyTo(padded.AsSpan(i * data.SequenceLength));
        var lengths = Enumerable.Range(0, data.Count).Select(splicedData.LengthOf).ToArray();
        using var plain = new RecurrentAutoencoder(backend, spec, seed);
        using (var device = plain.Upload(new SequenceDataset(padded, data.Count, data.Steps, data.Features, lengths: lengths)))
            new Trainer(plain, device, device, options with { SpliceProbability = 0 }).Run(CancellationToken.None);
        Assert.Equal(plain.GetParameters(), augmented.GetParameters());
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void A_resumed_run_splices_what_an_uninterrupted_one_would(string backendName)
    {
        int seed = ModelTestData.FreshSeed();
        var spec = ModelTestData.SmallSpec;
        var random = new Random(seed);
        int count = 8, steps = 9;
        var lengths = Enumerable.Range(0, count).Select(_ => random.Next(2, steps + 1)).ToArray();
        var values = ModelTestData.RandomSequences(random, count, steps, spec.Features);
        ModelTestData.ZeroPadding(values, steps, spec.Features, lengths);
        var data = new SequenceDataset(values, count, steps, spec.Features, lengths: lengths); // no separator: any runs of steps
        var options = new TrainingOptions(Epochs: 3, BatchSize: 3, Seed: seed, SpliceProbability: 0.6f, CropProbability: 0.5f);
        using var backend = TestBackends.Create(backendName);

        using var whole = new RecurrentAutoencoder(backend, spec, seed);
        using (var device = whole.Upload(data)) new Trainer(whole, device, device, options).Run(CancellationToken.None);

        using var first = new RecurrentAutoencoder(backend, spec, seed);
        var history = new List<EpochResult>();
        TrainingPosition position;
        using (var device = first.Upload(data))
        {
            var trainer = new Trainer(first, device, device, options with { Epochs = 1 });
            trainer.Run(CancellationToken.None);
            history.AddRange(trainer.History);
            position = trainer.Position;
        }
        using var resumed = new RecurrentAutoencoder(backend, spec, seed);
        resumed.SetParameters(first.GetParameters());
        resumed.SetOptimizerState(first.GetOptimizerState());
        using (var device = resumed.Upload(data))
        {
            var trainer = new Trainer(resumed, device, device, options) { Position = position };
            trainer.History.AddRange(history);
            trainer.Run(CancellationToken.None);
        }
        Assert.Equal(whole.GetParameters(), resumed.GetParameters());

        using var unspliced = new RecurrentAutoencoder(backend, spec, seed);
        using (var device = unspliced.Upload(data)) new Trainer(unspliced, device, device, options with { SpliceProbability = 0 }).Run(CancellationToken.None);
        Assert.NotEqual(whole.GetParameters(), unspliced.GetParameters());
    }

    [Fact]
    public void The_probability_is_checked()
    {
        foreach (float bad in new[] { -0.1f, 1.5f, float.NaN })
            Assert.Equal(nameof(TrainingOptions.SpliceProbability),
                Assert.Throws<InvalidTrainingOptionException>(() => new TrainingOptions(SpliceProbability: bad).Validate()).Setting);
    }

    static string RandomLine(Random random, int length)
    {
        var chars = new char[length];
        for (int i = 0; i < length; i++) chars[i] = random.NextDouble() < 0.2 ? ' ' : (char)('a' + random.Next(6));
        chars[0] = 'a'; // not all spaces
        return new string(chars);
    }

    static float[] Values(IComputeBackend backend, DeviceDataset device)
    {
        var values = new float[device.Count * device.Steps * device.Features];
        backend.Download(device.Data.Slice(0, values.Length), values);
        return values;
    }
}

using RecurrentAE.Kernels;

namespace RecurrentAE.Model.Training;

/// <summary>
/// A training set's per-epoch augmentation: each epoch every sequence is, by its own draws, a splice
/// (<see cref="SequenceSplices"/>, with <see cref="TrainingOptions.SpliceProbability"/>), else a crop
/// (<see cref="SequenceCrops"/>, with <see cref="TrainingOptions.CropProbability"/>), else itself. The set is made ragged
/// and rewritten in place each epoch from a copy of the original; <see cref="Restore"/> puts the original sequences back,
/// so what follows training (the threshold, the scores) sees them.
/// </summary>
internal sealed class SequenceAugmentation
{
    private readonly DeviceDataset _data;
    private readonly float[] _original;
    private readonly int[] _lengths;
    private readonly float[] _work;
    private readonly int[] _workLengths;
    private readonly float _crop, _splice;
    private readonly int _seed;
    private readonly (int Start, int Length)[][] _words;
    private bool _changed;

    /// <summary>Keeps a copy of <paramref name="data"/>'s values and lengths (made ragged if they were all equal) and,
    /// with splices, each sequence's words.</summary>
    public SequenceAugmentation(IComputeBackend backend, DeviceDataset data, float cropProbability, float spliceProbability, int seed)
    {
        data.MakeRagged();
        _data = data;
        _crop = cropProbability;
        _splice = spliceProbability;
        _seed = seed;
        _lengths = (int[])data.Lengths!.Clone();
        int n = checked(data.Count * data.Steps * data.Features);
        _original = new float[n];
        if (n > 0) backend.Download(data.Data.Slice(0, n), _original);
        _work = new float[n];
        _workLengths = new int[data.Count];
        int itemSize = data.Steps * data.Features;
        _words = spliceProbability > 0
            ? [.. Enumerable.Range(0, data.Count).Select(i =>
                SequenceSplices.Words(_original.AsSpan(i * itemSize, itemSize), _lengths[i], data.Features, data.WordSeparator))]
            : [];
    }

    /// <summary>Writes <paramref name="epoch"/>'s splices and crops into the data set.</summary>
    public void Apply(int epoch)
    {
        int features = _data.Features, itemSize = _data.Steps * features;
        Array.Clear(_work);
        for (int i = 0; i < _data.Count; i++)
        {
            var destination = _work.AsSpan(i * itemSize, itemSize);
            if (SequenceSplices.Chosen(_seed, epoch, i, _splice))
            {
                _workLengths[i] = WriteSplice(destination, SequenceSplices.Draw(_seed, epoch, i, _words, j => _lengths[j], _data.Steps, _data.WordSeparator is not null));
                if (_workLengths[i] > 0) continue;
            }
            var (start, length) = SequenceCrops.Draw(_seed, epoch, i, _lengths[i], _crop);
            _original.AsSpan(i * itemSize + start * features, length * features).CopyTo(destination);
            _workLengths[i] = length;
        }
        _data.Rewrite(_work, _workLengths);
        _changed = true;
    }

    /// <summary>Writes the parts one after another (one separator step between parts when the data has one); returns the length.</summary>
    private int WriteSplice(Span<float> destination, List<SequenceSplices.Part> parts)
    {
        int features = _data.Features, itemSize = _data.Steps * features, at = 0;
        foreach (var part in parts)
        {
            if (at > 0 && _data.WordSeparator is int s) destination[at++ * features + s] = 1f;
            _original.AsSpan(part.Item * itemSize + part.Start * features, part.Length * features).CopyTo(destination[(at * features)..]);
            at += part.Length;
        }
        return at;
    }

    /// <summary>Puts the original sequences back.</summary>
    public void Restore()
    {
        if (!_changed) return;
        _data.Rewrite(_original, _lengths);
        _changed = false;
    }
}

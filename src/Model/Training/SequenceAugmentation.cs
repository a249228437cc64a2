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
    private readonly PackedSequences _original;
    private readonly int[] _lengths;
    private readonly float[] _chunk;
    private readonly int _chunkItems;
    private readonly int[] _workLengths;
    private readonly float _crop, _splice;
    private readonly int _seed;
    private readonly (int Start, int Length)[][] _words;
    private bool _changed;

    /// <summary>Keeps a copy of <paramref name="data"/>'s values (compact: <see cref="PackedSequences"/>) and lengths (made
    /// ragged if they were all equal) and, with splices, each sequence's words. The epochs are written a chunk of items
    /// at a time (<paramref name="chunkItems"/> items, by default <see cref="PackedSequences.ChunkItems"/>), so no second full
    /// copy of the set is ever held.</summary>
    public SequenceAugmentation(IComputeBackend backend, DeviceDataset data, float cropProbability, float spliceProbability, int seed,
        int? chunkItems = null)
    {
        data.MakeRagged();
        _data = data;
        _crop = cropProbability;
        _splice = spliceProbability;
        _seed = seed;
        _lengths = (int[])data.Lengths!.Clone();
        _chunkItems = Math.Min(Math.Max(1, data.Count), chunkItems ?? PackedSequences.ChunkItems(data.Steps, data.Features));
        _original = new PackedSequences(backend, data.Data, data.Count, data.Steps, data.Features, _chunkItems);
        _chunk = new float[_chunkItems * data.Steps * data.Features];
        _workLengths = new int[data.Count];
        int itemSize = data.Steps * data.Features;
        _words = spliceProbability > 0
            ? [.. Enumerable.Range(0, data.Count).Select(i =>
            {
                var item = _chunk.AsSpan(0, itemSize);
                item.Clear();
                _original.CopySteps(i, 0, _lengths[i], item);
                return SequenceSplices.Words(item, _lengths[i], data.Features, data.WordSeparator);
            })]
            : [];
    }

    /// <summary>Writes <paramref name="epoch"/>'s splices and crops into the data set.</summary>
    public void Apply(int epoch)
    {
        WriteChunks(i =>
        {
            if (SequenceSplices.Chosen(_seed, epoch, i, _splice))
            {
                var parts = SequenceSplices.Draw(_seed, epoch, i, _words, j => _lengths[j], _data.Steps, _data.WordSeparator is not null);
                if (parts.Sum(p => p.Length) > 0) return parts; // else a crop, as for an item without steps
            }
            var (start, length) = SequenceCrops.Draw(_seed, epoch, i, _lengths[i], _crop);
            return [new SequenceSplices.Part(i, start, length)];
        });
        _changed = true;
    }

    /// <summary>Puts the original sequences back.</summary>
    public void Restore()
    {
        if (!_changed) return;
        WriteChunks(i => [new SequenceSplices.Part(i, 0, _lengths[i])]);
        _changed = false;
    }

    /// <summary>Rewrites the set a chunk of items at a time, item i made of <paramref name="partsOf"/>(i) written one
    /// after another (one separator step between parts when the data has one).</summary>
    private void WriteChunks(Func<int, List<SequenceSplices.Part>> partsOf)
    {
        int features = _data.Features, itemSize = _data.Steps * features;
        for (int first = 0; first < _data.Count; first += _chunkItems)
        {
            int items = Math.Min(_chunkItems, _data.Count - first);
            var chunk = _chunk.AsSpan(0, items * itemSize);
            chunk.Clear();
            for (int i = first; i < first + items; i++)
            {
                var destination = chunk.Slice((i - first) * itemSize, itemSize);
                int at = 0;
                foreach (var part in partsOf(i))
                {
                    if (at > 0 && _data.WordSeparator is int s) destination[at++ * features + s] = 1f;
                    _original.CopySteps(part.Item, part.Start, part.Length, destination[(at * features)..]);
                    at += part.Length;
                }
                _workLengths[i] = at;
            }
            _data.Rewrite(first, chunk, _workLengths.AsSpan(first, items));
        }
    }
}

namespace RecurrentAE.Model.Training;

/// <summary>
/// Random-splice augmentation (<see cref="TrainingOptions.SpliceProbability"/>): at the start of every epoch a training
/// sequence is, with probability P, replaced for that epoch by random parts of several training sequences joined, as
/// long as a randomly chosen training sequence or a little longer (the last part is whole words, so the lengths follow
/// the set's distribution, shifted up by part of a part: about a quarter of the mean length on random lines). When the data has a word
/// separator (text: the space symbol, <see cref="SequenceDataset.WordSeparator"/>) every part is a run of whole words and
/// the parts are joined by one separator; otherwise a part is any contiguous run of steps, joined directly.
/// A copy model trained on 9,000 lines learns the lines; trained on their splices it sees new sentences every epoch and
/// has to learn to carry any text through its coding (held-out accuracy in docs/training-defaults.md). It is the text
/// analogue of mixing-based augmentation for images (Yun et al. 2019, CutMix); numeric series are not spliced by default,
/// as a join is a jump the model would learn to call normal.
/// Draws are a counter-based hash of (seed, epoch, item, draw), so a resumed run splices what an uninterrupted one would.
/// </summary>
internal static class SequenceSplices
{
    /// <summary>The most parts one splice joins.</summary>
    public const int MaxParts = 16;

    /// <summary>One part of a splice: steps [Start, Start + Length) of sequence Item.</summary>
    public readonly record struct Part(int Item, int Start, int Length);

    /// <summary>Whether item <paramref name="index"/> is spliced in <paramref name="epoch"/> (probability <paramref name="p"/>).</summary>
    public static bool Chosen(int seed, int epoch, int index, float p) =>
        p > 0 && (Hash(seed, epoch, index, 0) >> 40) * (1.0 / (1 << 24)) < p;

    /// <summary>
    /// The parts of item <paramref name="index"/>'s splice in <paramref name="epoch"/>: the first a run of the item's own
    /// words, each next one a run of a random item's words, until the length (parts plus one separator between parts when
    /// <paramref name="separated"/>) reaches that of a random item; a part that would pass <paramref name="steps"/> is cut
    /// to the words that fit, and the splice ends when none does. <paramref name="words"/>[i] lists item i's words as
    /// (start, length) spans; an item without words is taken whole.
    /// </summary>
    public static List<Part> Draw(int seed, int epoch, int index, IReadOnlyList<(int Start, int Length)[]> words,
        Func<int, int> lengthOf, int steps, bool separated)
    {
        int count = words.Count;
        var parts = new List<Part>();
        int target = lengthOf((int)(Hash(seed, epoch, index, 1) % (ulong)count));
        int length = 0;
        for (int k = 0; k < MaxParts && length < target; k++)
        {
            int item = k == 0 ? index : (int)(Hash(seed, epoch, index, 2 + 3 * k) % (ulong)count);
            var w = words[item];
            if (w.Length == 0)
            {
                if (k == 0) { parts.Add(new Part(item, 0, lengthOf(item))); length = lengthOf(item); }
                continue;
            }
            int first = (int)(Hash(seed, epoch, index, 3 + 3 * k) % (ulong)w.Length);
            int last = first + (int)(Hash(seed, epoch, index, 4 + 3 * k) % (ulong)(w.Length - first));
            int join = parts.Count > 0 && separated ? 1 : 0;
            int room = steps - length - join;
            while (last >= first && w[last].Start + w[last].Length - w[first].Start > room) last--;
            if (last < first) break;
            int start = w[first].Start, size = w[last].Start + w[last].Length - start;
            parts.Add(new Part(item, start, size));
            length += join + size;
        }
        return parts;
    }

    /// <summary>The words of a sequence of <paramref name="length"/> steps: with a separator, the maximal runs of steps
    /// whose value at feature <paramref name="separator"/> is not 1; without, every step on its own.</summary>
    public static (int Start, int Length)[] Words(ReadOnlySpan<float> sequence, int length, int features, int? separator)
    {
        var words = new List<(int, int)>();
        if (separator is not int s)
        {
            for (int t = 0; t < length; t++) words.Add((t, 1));
            return [.. words];
        }
        int begin = -1;
        for (int t = 0; t <= length; t++)
        {
            bool gap = t == length || sequence[t * features + s] == 1f;
            if (gap && begin >= 0) { words.Add((begin, t - begin)); begin = -1; }
            else if (!gap && begin < 0) begin = t;
        }
        return [.. words];
    }

    private static ulong Hash(int seed, int epoch, int index, int draw)
    {
        ulong key = RecurrentAutoencoder.Mix(((ulong)(uint)seed << 32 | (uint)epoch) ^ 0x7370_6C69_6365_0001UL); // "splice"
        ulong h = RecurrentAutoencoder.Mix(key + (ulong)index * 0x9E37_79B9_7F4A_7C15UL);
        return RecurrentAutoencoder.Mix(h + (ulong)draw * 0xD1B5_4A32_D192_ED03UL);
    }
}

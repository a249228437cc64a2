namespace RecurrentAE.Model.Training;

/// <summary>
/// Random-crop augmentation of a training set (<see cref="TrainingOptions.CropProbability"/>): at the start of every epoch
/// each training sequence is, with probability P, replaced for that epoch by a random contiguous part of itself at least
/// half as long, the random crop of image models read along time. A small file of short sequences (10k lines of text)
/// then shows the model many distinct sequences instead of the same few thousand again and again, so the encoder has to
/// learn to carry what it reads rather than memorise the lines (measured in docs/training-defaults.md). The draws are a
/// counter-based hash of (seed, epoch, item), so a resumed run crops what an uninterrupted one would
/// (<see cref="SequenceAugmentation"/> applies them).
/// </summary>
internal static class SequenceCrops
{
    /// <summary>Item <paramref name="index"/>'s crop in <paramref name="epoch"/> (0-based): the whole sequence with
    /// probability 1 - p, else a length drawn uniformly from ceil(L/2)..L and a start uniformly from the places it fits.</summary>
    internal static (int Start, int Length) Draw(int seed, int epoch, int index, int length, float p)
    {
        ulong key = RecurrentAutoencoder.Mix(((ulong)(uint)seed << 32 | (uint)epoch) ^ 0x6372_6F70_7300_0001UL); // "crops"
        ulong h1 = RecurrentAutoencoder.Mix(key + (ulong)index * 0x9E37_79B9_7F4A_7C15UL);
        double u = (h1 >> 40) * (1.0 / (1 << 24));
        if (u >= p || length < 2) return (0, length);
        ulong h2 = RecurrentAutoencoder.Mix(h1);
        int shortest = (length + 1) / 2;
        int cropped = shortest + (int)(h2 % (ulong)(length - shortest + 1));
        int start = (int)((h2 >> 32) % (ulong)(length - cropped + 1));
        return (start, cropped);
    }
}

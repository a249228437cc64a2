namespace RecurrentAE.Kernels;

/// <summary>
/// Where item i of a resident data set lies in its flat buffer, for <see cref="IComputeBackend.GatherSequences"/>: step t of
/// item i starts at element <c>min(i * ItemStride, MaxOffset) + First + t * StepStride</c> and holds <see cref="Features"/>
/// consecutive values. Ordinary data sets (<see cref="Sequences"/>) store items one after another; the windows of one long
/// series (<see cref="Windows"/>) overlap in a single copy of it, the last one end-aligned through <see cref="MaxOffset"/>;
/// <see cref="Reversed"/> reads the same items back to front (a negative step stride), so reversed targets need no copy.
/// </summary>
/// <param name="Steps">Steps an item.</param>
/// <param name="Features">Values a step.</param>
/// <param name="ItemStride">Elements between the starts of consecutive items.</param>
/// <param name="MaxOffset">The largest item start (elements); larger starts are clamped to it.</param>
/// <param name="First">Elements from an item's start to its first gathered step.</param>
/// <param name="StepStride">Elements between consecutive gathered steps (negative: back to front).</param>
public readonly record struct GatherLayout(int Steps, int Features, int ItemStride, int MaxOffset, int First, int StepStride)
{
    /// <summary>Items of <paramref name="steps"/> x <paramref name="features"/> stored one after another (batch-major).</summary>
    public static GatherLayout Sequences(int steps, int features) => new(steps, features, steps * features, int.MaxValue, 0, features);

    /// <summary>Windows of <paramref name="window"/> rows of a series of <paramref name="rows"/> rows x <paramref name="features"/>,
    /// starting every <paramref name="stride"/> rows; a start past <c>rows - window</c> is clamped to it (the end-aligned last window).</summary>
    public static GatherLayout Windows(int rows, int features, int window, int stride) =>
        new(window, features, checked(stride * features), checked((rows - window) * features), 0, features);

    /// <summary>The same items with their steps in reverse order.</summary>
    public GatherLayout Reversed => this with { First = First + (Steps - 1) * StepStride, StepStride = -StepStride };

    /// <summary>The element where step <paramref name="step"/> of item <paramref name="item"/> starts.</summary>
    public long Offset(int item, int step) => Math.Min((long)item * ItemStride, MaxOffset) + First + (long)step * StepStride;
}

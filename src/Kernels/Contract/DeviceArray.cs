namespace RecurrentAE.Kernels;

/// <summary>A block of float32 memory owned by one backend: device memory for ILGPU, a pinned managed array for the CPU.</summary>
public abstract class DeviceArray : IDisposable
{
    public abstract int Length { get; }

    /// <summary>The whole array as a slice.</summary>
    public Slice All => new(this, 0, Length);

    public Slice Slice(int offset, int length) => new(this, offset, length);

    public abstract void Dispose();
}

/// <summary>A block of int32 memory owned by one backend (batch indices, sequence lengths).</summary>
public abstract class DeviceIndexArray : IDisposable
{
    public abstract int Length { get; }

    public abstract void Dispose();
}

/// <summary>A contiguous range of a <see cref="DeviceArray"/>; ops take slices so one flat buffer can hold many tensors.</summary>
public readonly struct Slice
{
    public Slice(DeviceArray array, int offset, int length)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (offset < 0 || length < 0 || (long)offset + length > array.Length)
            throw new ArgumentOutOfRangeException(nameof(length), $"slice [{offset}, {offset + length}) is outside an array of {array.Length}");
        Array = array;
        Offset = offset;
        Length = length;
    }

    public DeviceArray Array { get; }
    public int Offset { get; }
    public int Length { get; }
    public bool IsEmpty => Length == 0;

    /// <summary>A sub-range, relative to this slice.</summary>
    public Slice Sub(int offset, int length)
    {
        if (offset < 0 || length < 0 || (long)offset + length > Length)
            throw new ArgumentOutOfRangeException(nameof(length), $"sub-slice [{offset}, {offset + length}) is outside a slice of {Length}");
        return new Slice(Array, Offset + offset, length);
    }

    public override string ToString() => $"Slice[{Offset}..{Offset + Length})";
}

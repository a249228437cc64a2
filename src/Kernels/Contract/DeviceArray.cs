namespace RecurrentAE.Kernels;

/// <summary>A block of float32 memory owned by one backend: device memory for ILGPU, a pinned managed array for the CPU.</summary>
public abstract class DeviceArray : IDisposable
{
    /// <summary>The number of floats.</summary>
    public abstract int Length { get; }

    /// <summary>The whole array as a slice.</summary>
    public Slice All => new(this, 0, Length);

    /// <summary>The floats [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>) as a slice.</summary>
    public Slice Slice(int offset, int length) => new(this, offset, length);

    /// <summary>Frees the memory; slices of the array must not be used afterwards.</summary>
    public abstract void Dispose();
}

/// <summary>A block of int32 memory owned by one backend (batch indices, sequence lengths).</summary>
public abstract class DeviceIndexArray : IDisposable
{
    /// <summary>The number of ints.</summary>
    public abstract int Length { get; }

    /// <summary>Frees the memory.</summary>
    public abstract void Dispose();
}

/// <summary>A contiguous range of a <see cref="DeviceArray"/>; ops take slices so one flat buffer can hold many tensors.</summary>
public readonly struct Slice
{
    /// <summary>The floats [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>) of
    /// <paramref name="array"/>; throws when the range is outside the array.</summary>
    public Slice(DeviceArray array, int offset, int length)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (offset < 0 || length < 0 || (long)offset + length > array.Length)
            throw new ArgumentOutOfRangeException(nameof(length), $"slice [{offset}, {offset + length}) is outside an array of {array.Length}");
        Array = array;
        Offset = offset;
        Length = length;
    }

    /// <summary>The array the slice lies in (null for the default, empty slice).</summary>
    public DeviceArray Array { get; }

    /// <summary>The first float, counted from the start of <see cref="Array"/>.</summary>
    public int Offset { get; }

    /// <summary>The number of floats.</summary>
    public int Length { get; }

    /// <summary>True for a slice of no floats (also the default value: "not given" in optional arguments).</summary>
    public bool IsEmpty => Length == 0;

    /// <summary>A sub-range, relative to this slice.</summary>
    public Slice Sub(int offset, int length)
    {
        if (offset < 0 || length < 0 || (long)offset + length > Length)
            throw new ArgumentOutOfRangeException(nameof(length), $"sub-slice [{offset}, {offset + length}) is outside a slice of {Length}");
        return new Slice(Array, Offset + offset, length);
    }

    /// <summary>The range, for messages: <c>Slice[offset..end)</c>.</summary>
    public override string ToString() => $"Slice[{Offset}..{Offset + Length})";
}

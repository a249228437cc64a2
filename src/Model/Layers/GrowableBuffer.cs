using RecurrentAE.Kernels;

namespace RecurrentAE.Model.Layers;

/// <summary>A device workspace that grows to the largest (steps x batch) asked of it and is then reused,
/// so a training step at a fixed shape allocates nothing after the first.</summary>
internal sealed class GrowableBuffer(IComputeBackend backend) : IDisposable
{
    private DeviceArray? _array;

    public Slice Get(int length)
    {
        if (_array == null || _array.Length < length)
        {
            _array?.Dispose();
            _array = backend.Allocate(Math.Max(1, length));
        }
        return _array.Slice(0, length);
    }

    public void Dispose() => _array?.Dispose();
}

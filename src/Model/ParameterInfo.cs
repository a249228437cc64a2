using RecurrentAE.Kernels;

namespace RecurrentAE.Model;

/// <summary>One named tensor inside the flat parameter buffer (Keras-style name, row-major shape).</summary>
/// <param name="Name">The Keras-style name, e.g. <c>encoder.lstm0.kernel</c>.</param>
/// <param name="Shape">The row-major shape.</param>
/// <param name="Offset">The first float in the flat parameter buffer.</param>
/// <param name="Length">The number of floats.</param>
public sealed record ParameterInfo(string Name, int[] Shape, int Offset, int Length)
{
    /// <summary>The shape as text, e.g. <c>(28, 400)</c>.</summary>
    public string ShapeText => "(" + string.Join(", ", Shape) + ")";

    /// <summary>This tensor's range of a flat buffer laid out like the parameters (the parameters, their gradients).</summary>
    internal Slice In(Slice flat) => flat.Sub(Offset, Length);
}

/// <summary>Hands out consecutive ranges of the flat parameter buffer, in registration order.</summary>
internal sealed class ParameterLayoutBuilder
{
    private readonly List<ParameterInfo> _items = [];
    private int _next;

    public ParameterInfo Add(string name, params int[] shape)
    {
        int length = shape.Aggregate(1, (a, b) => checked(a * b));
        var info = new ParameterInfo(name, shape, _next, length);
        _next += length;
        _items.Add(info);
        return info;
    }

    public IReadOnlyList<ParameterInfo> Items => _items;
    public int Total => _next;
}

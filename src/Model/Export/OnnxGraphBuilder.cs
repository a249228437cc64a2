using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace RecurrentAE.Model.Export;

/// <summary>
/// Builds one ONNX graph with the protobuf classes generated from onnx.proto3: inputs, outputs, float and int64
/// initializers, and nodes whose outputs get fresh names. Knows ONNX, not autoencoders.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly GraphProto _graph;
    private readonly HashSet<string> _names = [];
    private int _counter;

    public OnnxGraphBuilder(string name) => _graph = new GraphProto { Name = name };

    /// <summary>A graph input; <paramref name="dims"/>: a number for a fixed size, a string for a named dynamic size;
    /// null for a tensor of any rank.</summary>
    public string Input(string name, TensorProto.Types.DataType type, params object[]? dims)
    {
        Reserve(name);
        _graph.Input.Add(ValueInfo(name, type, dims));
        return name;
    }

    /// <summary>Declares <paramref name="value"/> a graph output, renamed to <paramref name="name"/> by an Identity when they differ.</summary>
    public void Output(string value, string name, TensorProto.Types.DataType type, params object[] dims)
    {
        if (value != name)
        {
            Reserve(name);
            _graph.Node.Add(new NodeProto { OpType = "Identity", Name = Fresh("Identity"), Input = { value }, Output = { name } });
        }
        _graph.Output.Add(ValueInfo(name, type, dims));
    }

    public string Floats(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        if (values.Length != dims.Aggregate(1L, (a, b) => a * b)) throw new ArgumentException($"{name}: {values.Length} values for shape [{string.Join(",", dims)}]");
        var tensor = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values)) };
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw data is little-endian");
        tensor.Dims.AddRange(dims);
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>A 1-D int64 constant (shapes, axes, slice bounds).</summary>
    public string Int64s(string name, params long[] values)
    {
        var tensor = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Adds a node; returns the names of its outputs (fresh names; an empty string in <paramref name="outputs"/> is
    /// an output left out, as ONNX writes an unused optional output). Empty input names are absent optional inputs.</summary>
    public string[] Node(string op, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = Fresh(op) };
        node.Input.AddRange(inputs);
        var names = outputs.Select(o => o.Length == 0 ? "" : Unique(o)).ToArray();
        node.Output.AddRange(names);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return names;
    }

    /// <summary>A node with one output.</summary>
    public string Op(string op, params string[] inputs) => Node(op, inputs, [op.ToLowerInvariant()])[0];

    public string Op(string op, string[] inputs, params AttributeProto[] attributes) => Node(op, inputs, [op.ToLowerInvariant()], attributes)[0];

    public static AttributeProto Attribute(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Attribute(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Attribute(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public GraphProto Graph => _graph;

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, object[]? dims)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)type };
        if (dims is not null)
        {
            tensor.Shape = new TensorShapeProto();
            foreach (var d in dims)
                tensor.Shape.Dim.Add(d switch
                {
                    int n => new TensorShapeProto.Types.Dimension { DimValue = n },
                    long n => new TensorShapeProto.Types.Dimension { DimValue = n },
                    string s => new TensorShapeProto.Types.Dimension { DimParam = s },
                    _ => throw new ArgumentException($"a dimension is a number or a name, not {d}"),
                });
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }

    private void Reserve(string name)
    {
        if (!_names.Add(name)) throw new InvalidOperationException($"the name '{name}' is used twice in the graph");
    }

    private string Unique(string stem)
    {
        string name = stem;
        while (!_names.Add(name)) name = $"{stem}_{++_counter}";
        return name;
    }

    private string Fresh(string op) => $"{op}_{++_counter}";
}

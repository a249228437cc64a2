using Microsoft.ML.OnnxRuntime;

namespace RecurrentAE.Runner.Onnx;

/// <summary>
/// An exported RecurrentAE graph run by ONNX Runtime (CPU, the given number of intra-op threads, one inter-op
/// thread, sequential), with the shapes of <see cref="Model.Export.OnnxExport"/>'s graphs: batch-major host arrays in and out.
/// </summary>
internal sealed class OnnxSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly SessionOptions _options;
    private readonly RunOptions _run = new();

    public OnnxSession(byte[] model, int threads)
    {
        _options = Options(threads);
        _session = new InferenceSession(model, _options);
    }

    public OnnxSession(string path, int threads)
    {
        _options = Options(threads);
        try { _session = new InferenceSession(path, _options); }
        catch (OnnxRuntimeException e)
        {
            _options.Dispose();
            throw new Model.Data.DataFormatException($"{path}: not an ONNX model ONNX Runtime can load ({RaeApp.OneLine(e.Message)})");
        }
    }

    private static SessionOptions Options(int threads) => new()
    {
        IntraOpNumThreads = threads,
        InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
    };

    /// <summary>Whether the graph takes a <c>lengths</c> input.</summary>
    public bool TakesLengths => _session.InputMetadata.ContainsKey("lengths");

    public IReadOnlyList<string> Inputs => [.. _session.InputMetadata.Keys];

    public IReadOnlyList<string> Outputs => [.. _session.OutputMetadata.Keys];

    /// <summary>The autoencoder graph: (batch, steps, features) -> (batch, steps, features).</summary>
    public float[] Reconstruct(float[] values, int batch, int steps, int features, int[]? lengths = null) =>
        RunSequences("reconstruction", values, batch, steps, features, lengths);

    /// <summary>The encoder graph: (batch, steps, features) -> (batch, coding).</summary>
    public float[] Encode(float[] values, int batch, int steps, int features, int[]? lengths = null) =>
        RunSequences("coding", values, batch, steps, features, lengths);

    /// <summary>The decoder graph: (batch, coding) and a step count -> (batch, steps, features).</summary>
    public float[] Decode(float[] codings, int batch, long steps, bool scalarSteps = false)
    {
        using var c = OrtValue.CreateTensorValueFromMemory(codings, [batch, codings.Length / batch]);
        using var s = OrtValue.CreateTensorValueFromMemory(new[] { steps }, scalarSteps ? [] : [1]);
        return Run("reconstruction", ("coding", c), ("steps", s))[0];
    }

    /// <summary>Runs the graph on named inputs; returns the named outputs' values (in <paramref name="outputs"/>' order).</summary>
    public float[][] Run(string[] outputs, params (string Name, OrtValue Value)[] inputs)
    {
        using var results = _session.Run(_run, [.. inputs.Select(i => i.Name)], [.. inputs.Select(i => i.Value)], outputs);
        return [.. results.Select(r => r.GetTensorDataAsSpan<float>().ToArray())];
    }

    private float[][] Run(string output, params (string Name, OrtValue Value)[] inputs) => Run([output], inputs);

    private float[] RunSequences(string output, float[] values, int batch, int steps, int features, int[]? lengths)
    {
        using var x = OrtValue.CreateTensorValueFromMemory(values, [batch, steps, features]);
        if (!TakesLengths) return Run(output, ("input", x))[0];
        using var l = OrtValue.CreateTensorValueFromMemory(lengths ?? [.. Enumerable.Repeat(steps, batch)], [batch]);
        return Run(output, ("input", x), ("lengths", l))[0];
    }

    public void Dispose()
    {
        _session.Dispose();
        _options.Dispose();
        _run.Dispose();
    }
}

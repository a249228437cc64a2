using Microsoft.ML.OnnxRuntime;
using RecurrentAE.Model.Export;
using RecurrentAE.Runner.Onnx;
using RecurrentAE.Tests.Model;

namespace RecurrentAE.Tests.Export;

/// <summary>Each exported graph run by ONNX Runtime against our own forward pass (the cpu backend) on fresh random
/// weights and inputs, full-length and ragged.</summary>
public class OnnxExportTests
{
    private const double Tolerance = 1e-5;

    /// <summary>Reference-shaped (two encoder LSTMs, one decoder LSTM, sigmoid), a standardised linear model decoding in
    /// reverse, a softmax model, and a variational and a sparse model (their coding layers).</summary>
    public static TheoryData<string> Models => new() { "reference", "csv", "softmax", "variational", "sparse" };

    private static (AutoencoderSpec Spec, Standardizer? Scaler) Case(string name, Random random) => name switch
    {
        "reference" => (new AutoencoderSpec(7, [9, 4], [8]), null),
        "csv" => (new AutoencoderSpec(3, [6, 4], [5, 4], OutputHead.Linear, ReverseOutput: true),
            new Standardizer([.. Enumerable.Range(0, 3).Select(_ => (float)(random.NextDouble() * 4 - 2))],
                [.. Enumerable.Range(0, 3).Select(_ => (float)(0.5 + random.NextDouble() * 2))])),
        // a variational model exports its mean path; a sparse one its sigmoid coding layer
        "variational" => (new AutoencoderSpec(4, [6, 5], [7], Coding: CodingKind.Variational), null),
        "sparse" => (new AutoencoderSpec(4, [6, 5], [7], ReverseOutput: true, Coding: CodingKind.Sparse), null),
        _ => (new AutoencoderSpec(5, [6], [7], OutputHead.Softmax), null),
    };

    /// <summary>A test's start: fresh random numbers, the named case's spec and scaler, and a <see cref="RandomModel"/> of
    /// it on the cpu backend.</summary>
    private sealed class CaseModel : IDisposable
    {
        readonly IComputeBackend backend = TestBackends.Create("cpu");

        public CaseModel(string name)
        {
            (Spec, Scaler) = Case(name, Random);
            Model = RandomModel(backend, Spec, Random);
        }

        public Random Random { get; } = new(ModelTestData.FreshSeed());
        public AutoencoderSpec Spec { get; }
        public Standardizer? Scaler { get; }
        public RecurrentAutoencoder Model { get; }

        public void Dispose()
        {
            Model.Dispose();
            backend.Dispose();
        }
    }

    /// <summary>A model on the cpu backend with every parameter uniform in [-0.6, 0.6) (biases too, so a misplaced gate shows).</summary>
    internal static RecurrentAutoencoder RandomModel(IComputeBackend backend, AutoencoderSpec spec, Random random)
    {
        var model = new RecurrentAutoencoder(backend, spec, seed: random.Next(), maxBatch: 16);
        var p = new float[model.ParameterCount];
        for (int i = 0; i < p.Length; i++) p[i] = (float)(random.NextDouble() * 1.2 - 0.6);
        model.SetParameters(p);
        return model;
    }

    /// <summary>Raw input in the data's own units: what the graph takes (a standardised model's data around its mean).</summary>
    private static float[] RawInput(Random random, AutoencoderSpec spec, Standardizer? scaler, int count, int steps, int[]? lengths)
    {
        var values = ModelTestData.ForHead(random, spec.Head, count, steps, spec.Features, lengths);
        if (scaler is not null)
            for (int i = 0; i < values.Length; i++) values[i] = values[i] * 2 * scaler.Std[i % spec.Features] + scaler.Mean[i % spec.Features];
        if (lengths is not null) ModelTestData.ZeroPadding(values, steps, spec.Features, lengths);
        return values;
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void AutoencoderMatchesReconstructFullLength(string name) => CheckAutoencoder(name, ragged: false, withLengthsInput: false);

    [Theory]
    [MemberData(nameof(Models))]
    public void AutoencoderWithLengthsMatchesReconstructRagged(string name) => CheckAutoencoder(name, ragged: true, withLengthsInput: true);

    [Theory]
    [MemberData(nameof(Models))]
    public void AutoencoderWithLengthsMatchesReconstructFullLength(string name) => CheckAutoencoder(name, ragged: false, withLengthsInput: true);

    private static void CheckAutoencoder(string name, bool ragged, bool withLengthsInput)
    {
        using var test = new CaseModel(name);
        var (random, spec, scaler, model) = (test.Random, test.Spec, test.Scaler, test.Model);
        int count = 5, steps = 6;
        int[]? lengths = ragged ? [6, 3, 1, 5, 2] : null;
        var raw = RawInput(random, spec, scaler, count, steps, lengths);
        var data = new SequenceDataset(raw, count, steps, spec.Features, lengths: lengths);

        var expected = model.Reconstruct(scaler is null ? data : scaler.Apply(data));
        if (scaler is not null) expected = scaler.InvertValues(expected, spec.Features);

        using var onnx = new OnnxSession(OnnxExport.ToBytes(model, scaler, new OnnxExportOptions(OnnxPart.Autoencoder, withLengthsInput)), threads: 1);
        Assert.Equal(withLengthsInput, onnx.TakesLengths);
        var actual = onnx.Reconstruct(raw, count, steps, spec.Features, lengths);
        AssertClose(expected, actual, $"{name} autoencoder");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void EncoderMatchesEncode(string name)
    {
        using var test = new CaseModel(name);
        var (random, spec, scaler, model) = (test.Random, test.Spec, test.Scaler, test.Model);
        int count = 4, steps = 5;
        int[] lengths = [5, 2, 4, 1];
        foreach (var ragged in new[] { false, true })
        {
            var raw = RawInput(random, spec, scaler, count, steps, ragged ? lengths : null);
            var data = new SequenceDataset(raw, count, steps, spec.Features, lengths: ragged ? lengths : null);
            var expected = model.Encode(scaler is null ? data : scaler.Apply(data));
            using var onnx = new OnnxSession(OnnxExport.ToBytes(model, scaler, new OnnxExportOptions(OnnxPart.Encoder, Lengths: ragged)), threads: 1);
            AssertClose(expected, onnx.Encode(raw, count, steps, spec.Features, ragged ? lengths : null), $"{name} encoder, ragged {ragged}");
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void DecoderMatchesDecode(string name)
    {
        using var test = new CaseModel(name);
        var (random, spec, scaler, model) = (test.Random, test.Spec, test.Scaler, test.Model);
        int count = 3;
        var codings = new float[count * spec.CodingSize];
        for (int i = 0; i < codings.Length; i++) codings[i] = (float)(random.NextDouble() * 2 - 1);
        using var onnx = new OnnxSession(OnnxExport.ToBytes(model, scaler, new OnnxExportOptions(OnnxPart.Decoder)), threads: 1);
        foreach (var (steps, scalar) in new[] { (4, false), (7, true) })
        {
            var expected = model.Decode(codings, count, steps);
            if (scaler is not null) expected = scaler.InvertValues(expected, spec.Features);
            AssertClose(expected, onnx.Decode(codings, count, steps, scalar), $"{name} decoder, {steps} steps");
        }
    }

    [Fact]
    public void FullSizeReferenceModelMatches()
    {
        var random = new Random(ModelTestData.FreshSeed());
        using var backend = TestBackends.Create("cpu");
        using var model = new RecurrentAutoencoder(backend, AutoencoderSpec.Reference, seed: random.Next(), maxBatch: 8);
        var raw = ModelTestData.RandomSequences(random, 3, 28, 28);
        using var onnx = new OnnxSession(OnnxExport.ToBytes(model), threads: 1);
        AssertClose(model.Reconstruct(raw, 3, 28), onnx.Reconstruct(raw, 3, 28, 28), "reference autoencoder");
    }

    [Fact]
    public void TeacherForcedModelExportsEncoderAndDecoderStepButNoAutoencoder()
    {
        var random = new Random(ModelTestData.FreshSeed());
        var spec = new AutoencoderSpec(5, [6], [7, 4], OutputHead.Softmax, TeacherForcing: true);
        using var backend = TestBackends.Create("cpu");
        using var model = RandomModel(backend, spec, random);
        var e = Assert.Throws<NotSupportedException>(() => OnnxExport.ToBytes(model));
        Assert.Contains("encoder, decoder", e.Message);

        int count = 3, steps = 6;
        var raw = ModelTestData.ForHead(random, spec.Head, count, steps, spec.Features);
        using var encoder = new OnnxSession(OnnxExport.ToBytes(model, options: new OnnxExportOptions(OnnxPart.Encoder)), threads: 1);
        var codings = encoder.Encode(raw, count, steps, spec.Features);
        AssertClose(model.Encode(raw, count, steps), codings, "teacher-forced encoder");

        // Greedy decoding with the one-step graph, fed the one-hot of its own previous argmax, as RecurrentAutoencoder.Decode.
        using var step = new OnnxSession(OnnxExport.ToBytes(model, options: new OnnxExportOptions(OnnxPart.Decoder)), threads: 1);
        int f = spec.Features;
        var previous = new float[count * f];
        var states = spec.DecoderUnits.SelectMany(u => new[] { new float[count * u], new float[count * u] }).ToArray();
        var actual = new float[count * steps * f];
        var outputNames = new List<string> { "output" };
        for (int l = 0; l < spec.DecoderUnits.Count; l++) outputNames.AddRange([$"next_state_h.{l}", $"next_state_c.{l}"]);
        for (int t = 0; t < steps; t++)
        {
            var inputs = new List<(string, OrtValue)>
            {
                ("coding", OrtValue.CreateTensorValueFromMemory(codings, [count, spec.CodingSize])),
                ("previous", OrtValue.CreateTensorValueFromMemory(previous, [count, f])),
            };
            for (int l = 0; l < spec.DecoderUnits.Count; l++)
            {
                inputs.Add(($"state_h.{l}", OrtValue.CreateTensorValueFromMemory(states[2 * l], [count, spec.DecoderUnits[l]])));
                inputs.Add(($"state_c.{l}", OrtValue.CreateTensorValueFromMemory(states[2 * l + 1], [count, spec.DecoderUnits[l]])));
            }
            var results = step.Run([.. outputNames], [.. inputs]);
            foreach (var (_, v) in inputs) v.Dispose();
            for (int b = 0; b < count; b++) results[0].AsSpan(b * f, f).CopyTo(actual.AsSpan((b * steps + t) * f, f));
            states = results[1..];
            previous = results[0];
            RecurrentAutoencoder.ArgmaxOneHot(previous, count, f);
        }
        AssertClose(model.Decode(codings, count, steps), actual, "teacher-forced greedy decoding");
    }

    [Fact]
    public void LstmWeightsAreReorderedToOnnxGates()
    {
        // Keras (in = 1, U = 1): columns i, f, c, o = 1, 2, 3, 4; ONNX rows i, o, f, c.
        Assert.Equal([1f, 4f, 2f, 3f], OnnxLstmWeights.Matrix([1f, 2f, 3f, 4f], rows: 1, units: 1));
        Assert.Equal([1f, 4f, 2f, 3f, 0f, 0f, 0f, 0f], OnnxLstmWeights.Bias([1f, 2f, 3f, 4f], units: 1));
        // rows = 2, U = 1: ONNX W[gate, r] = Keras K[r, gate].
        Assert.Equal([1f, 5f, 4f, 8f, 2f, 6f, 3f, 7f], OnnxLstmWeights.Matrix([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f], rows: 2, units: 1));
    }

    /// <summary>Every value within <see cref="Tolerance"/> relative to the largest of its own magnitude, 1e-2 of the tensor's
    /// largest and 1e-2: a value near zero is the difference of larger terms (gate sums of order 1), whose float32 rounding
    /// alone leaves it a few 1e-8 off in absolute terms, so it is compared on their scale.</summary>
    internal static void AssertClose(float[] expected, float[] actual, string label)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(v => Math.Abs(v));
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(expected[i] - actual[i]) / Math.Max(Math.Abs(expected[i]), Math.Max(1e-2 * scale, 1e-2));
            Assert.True(err <= Tolerance, $"{label}: [{i}] ONNX {actual[i]}, ours {expected[i]} (relative {err:E2})");
        }
    }
}

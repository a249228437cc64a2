using System.Reflection;
using Google.Protobuf;
using Onnx;
using RecurrentAE.Kernels;
using RecurrentAE.Model.Checkpoints;
using RecurrentAE.Model.Data;
using RecurrentAE.Model.IO;
using DataType = Onnx.TensorProto.Types.DataType;

namespace RecurrentAE.Model.Export;

/// <summary>
/// Writes a model as an ONNX graph (opset <see cref="Opset"/>) that takes the same raw values <c>rae</c> reads and
/// returns what <see cref="RecurrentAutoencoder.Reconstruct(SequenceDataset)"/> / <see cref="RecurrentAutoencoder.Encode(SequenceDataset)"/>
/// / <see cref="RecurrentAutoencoder.Decode"/> return, in the data's own units: a stored standardisation is applied to
/// the input (Sub, Div) and undone on the output (Mul, Add); a reversed decoder's order is undone (Slice with step -1, or
/// ReverseSequence by <c>lengths</c>). Each LSTM is an ONNX LSTM node (layout 0, so the sequences are transposed to
/// time-major and back), the repeated coding an Expand, the head MatMul + Add + Sigmoid/Softmax (or nothing, linear).
/// The encoder's last layer gives the coding as its Y_h, which with <c>lengths</c> (ONNX's sequence_lens) is each
/// sequence's state at its own last step, as in training.
/// <para>Graphs: autoencoder: <c>input</c> [batch, steps, features] float32 (and <c>lengths</c> [batch] int32 when asked) ->
/// <c>reconstruction</c> [batch, steps, features]; encoder: the same inputs -> <c>coding</c> [batch, coding]; decoder:
/// <c>coding</c> [batch, coding] and <c>steps</c> (int64, a scalar or [1]) -> <c>reconstruction</c> [batch, steps, features].</para>
/// <para>A teacher-forced model feeds its decoder its own previous output, a loop with an argmax that ONNX cannot say
/// cleanly: it exports the encoder and one decoder step: <c>coding</c> [batch, coding], <c>previous</c> [batch, features]
/// (zeros at the first step; then, for a softmax head, the one-hot of the previous output's argmax, else the previous
/// output itself) and per decoder layer l <c>state_h.l</c>, <c>state_c.l</c> [batch, units] (zeros at the first step) ->
/// <c>output</c> [batch, features] and <c>next_state_h.l</c>, <c>next_state_c.l</c>. The step graph works in the model's own
/// space and order: no standardisation, and a reversed model's steps come back to front.</para>
/// </summary>
public static class OnnxExport
{
    /// <summary>The ONNX operator set the graphs use.</summary>
    public const int Opset = 17;

    private const long IrVersion = 8;

    /// <summary>The parts a model of <paramref name="spec"/> can be exported as.</summary>
    public static IReadOnlyList<OnnxPart> PartsOf(AutoencoderSpec spec) =>
        spec.TeacherForcing ? [OnnxPart.Encoder, OnnxPart.Decoder] : [OnnxPart.Autoencoder, OnnxPart.Encoder, OnnxPart.Decoder];

    /// <summary>The ONNX model of a checkpoint's weights, with its stored standardisation.</summary>
    /// <exception cref="NotSupportedException">The model has no such part (a teacher-forced model's autoencoder).</exception>
    public static byte[] ToBytes(Checkpoint checkpoint, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        return Build(checkpoint.Spec, name =>
        {
            if (!checkpoint.Tensors.TryGetValue(name, out var t))
                throw new DataFormatException($"{checkpoint.Path}: corrupt checkpoint: tensor '{name}' is missing");
            return t.Data;
        }, checkpoint.Data.Standardizer, options ?? new()).ToByteArray();
    }

    /// <summary>The ONNX model of a model's current weights; <paramref name="standardizer"/>: the one its data was trained with, if any.</summary>
    /// <exception cref="NotSupportedException">The model has no such part (a teacher-forced model's autoencoder).</exception>
    public static byte[] ToBytes(RecurrentAutoencoder model, Standardizer? standardizer = null, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var flat = model.GetParameters();
        var byName = model.Parameters.ToDictionary(p => p.Name);
        return Build(model.Spec, name => flat.AsSpan(byName[name].Offset, byName[name].Length).ToArray(), standardizer, options ?? new()).ToByteArray();
    }

    /// <summary>Writes a checkpoint's ONNX model to <paramref name="path"/> atomically.</summary>
    /// <exception cref="NotSupportedException">The model has no such part (a teacher-forced model's autoencoder).</exception>
    public static void Write(Checkpoint checkpoint, string path, OnnxExportOptions? options = null) =>
        AtomicFile.WriteAllBytes(path, ToBytes(checkpoint, options));

    private static ModelProto Build(AutoencoderSpec spec, Func<string, float[]> weight, Standardizer? standardizer, OnnxExportOptions options)
    {
        if (!PartsOf(spec).Contains(options.Part))
            throw new NotSupportedException($"a teacher-forced model has no {Name(options.Part)} graph in ONNX (its decoder feeds back its own outputs): " +
                $"export one of {string.Join(", ", PartsOf(spec).Select(Name))} (the decoder as one step with its state)");
        if (standardizer is not null && (standardizer.Mean.Length != spec.Features || standardizer.Std.Length != spec.Features))
            throw new ArgumentException($"the standardisation has {standardizer.Mean.Length} features, the model {spec.Features}");
        var g = new OnnxGraphBuilder($"recurrentae_{Name(options.Part)}");
        var writer = new GraphWriter(g, spec, weight, standardizer);
        switch (options.Part)
        {
            case OnnxPart.Autoencoder: writer.Autoencoder(options.Lengths); break;
            case OnnxPart.Encoder: writer.Encoder(options.Lengths); break;
            case OnnxPart.Decoder when spec.TeacherForcing: writer.DecoderStep(); break;
            default: writer.Decoder(); break;
        }
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "RecurrentAE",
            ProducerVersion = typeof(OnnxExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "",
            Graph = g.Graph,
            DocString = $"RecurrentAE {spec}, {Name(options.Part)}{(spec.TeacherForcing && options.Part == OnnxPart.Decoder ? " (one step)" : "")}",
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "recurrentae.spec", Value = spec.ToJson() });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "recurrentae.part", Value = Name(options.Part) });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "recurrentae.lengths", Value = options.Lengths ? "true" : "false" });
        return model;
    }

    /// <summary>A part as the command line names it.</summary>
    public static string Name(OnnxPart part) => part.ToString().ToLowerInvariant();

    /// <summary>The nodes of one graph; each method declares its graph's inputs and outputs.</summary>
    private sealed class GraphWriter(OnnxGraphBuilder g, AutoencoderSpec spec, Func<string, float[]> weight, Standardizer? standardizer)
    {
        private static readonly long[] TimeMajor = [1, 0, 2]; // [batch, steps, x] <-> [steps, batch, x]
        private string? _mean, _std;
        private int F => spec.Features;

        public void Autoencoder(bool lengths)
        {
            var (input, seqLens) = SequenceInputs(lengths);
            var coding = EncodeTimeMajor(g.Op("Transpose", [Standardize(input)], OnnxGraphBuilder.Attribute("perm", TimeMajor)), seqLens);
            var steps = g.Op("Shape", [input], OnnxGraphBuilder.Attribute("start", 1L), OnnxGraphBuilder.Attribute("end", 2L));
            var output = DecodeBatchMajor(coding, steps, seqLens);
            g.Output(output, "reconstruction", DataType.Float, "batch", "steps", F);
        }

        public void Encoder(bool lengths)
        {
            var (input, seqLens) = SequenceInputs(lengths);
            var coding = EncodeTimeMajor(g.Op("Transpose", [Standardize(input)], OnnxGraphBuilder.Attribute("perm", TimeMajor)), seqLens);
            g.Output(coding, "coding", DataType.Float, "batch", spec.CodingSize);
        }

        public void Decoder()
        {
            var coding = g.Input("coding", DataType.Float, "batch", spec.CodingSize);
            var stepsInput = g.Input("steps", DataType.Int64, null);
            var steps = g.Op("Reshape", stepsInput, g.Int64s("flat", -1));
            g.Output(DecodeBatchMajor(coding, steps, ""), "reconstruction", DataType.Float, "batch", "steps", F);
        }

        public void DecoderStep()
        {
            var coding = g.Input("coding", DataType.Float, "batch", spec.CodingSize);
            var previous = g.Input("previous", DataType.Float, "batch", F);
            var axis0 = g.Int64s("axis0", 0);
            var x = g.Op("Unsqueeze", g.Op("Concat", [coding, previous], OnnxGraphBuilder.Attribute("axis", 1L)), axis0);
            int inputSize = spec.CodingSize + F;
            var next = new List<(string H, string C, int Units)>();
            for (int l = 0; l < spec.DecoderUnits.Count; l++)
            {
                int units = spec.DecoderUnits[l];
                var h = g.Input($"state_h.{l}", DataType.Float, "batch", units);
                var c = g.Input($"state_c.{l}", DataType.Float, "batch", units);
                var (_, yh, yc) = Lstm($"decoder.lstm{l}", x, inputSize, units, "", g.Op("Unsqueeze", h, axis0), g.Op("Unsqueeze", c, axis0), needY: false, needC: true);
                next.Add((g.Op("Squeeze", yh, axis0), g.Op("Squeeze", yc, axis0), units));
                x = yh; // [1, batch, units]: the next layer's one step
                inputSize = units;
            }
            g.Output(Head(next[^1].H), "output", DataType.Float, "batch", F);
            for (int l = 0; l < next.Count; l++)
            {
                g.Output(next[l].H, $"next_state_h.{l}", DataType.Float, "batch", next[l].Units);
                g.Output(next[l].C, $"next_state_c.{l}", DataType.Float, "batch", next[l].Units);
            }
        }

        private (string Input, string Lengths) SequenceInputs(bool lengths) =>
            (g.Input("input", DataType.Float, "batch", "steps", F), lengths ? g.Input("lengths", DataType.Int32, "batch") : "");

        /// <summary>Time-major [steps, batch, features] -> the coding [batch, coding]: every layer's Y feeds the next,
        /// the last one's Y_h is the coding (with sequence_lens: the state at each sequence's own last step).</summary>
        private string EncodeTimeMajor(string x, string seqLens)
        {
            int inputSize = F;
            for (int l = 0; ; l++)
            {
                int units = spec.EncoderUnits[l];
                bool last = l == spec.EncoderUnits.Count - 1;
                var (y, yh, _) = Lstm($"encoder.lstm{l}", x, inputSize, units, seqLens, "", "", needY: !last, needC: false);
                if (last) return Coding(g.Op("Squeeze", yh, g.Int64s("axis0", 0)));
                x = g.Op("Squeeze", y, g.Int64s("axis1", 1)); // Y is [steps, directions = 1, batch, units]
                inputSize = units;
            }
        }

        /// <summary>The coding [batch, coding] repeated <paramref name="steps"/> ([1] int64) times, decoded, back to batch-major
        /// [batch, steps, features], in the data's order (reversed back by <paramref name="seqLens"/>, or whole) and units.</summary>
        private string DecodeBatchMajor(string coding, string steps, string seqLens)
        {
            // RepeatVector: [1, batch, coding] expanded to [steps, batch, coding].
            var shape = g.Op("Concat", [steps, g.Int64s("ones", 1, 1)], OnnxGraphBuilder.Attribute("axis", 0L));
            var x = g.Op("Expand", g.Op("Unsqueeze", coding, g.Int64s("axis0", 0)), shape);
            int inputSize = spec.CodingSize;
            for (int l = 0; l < spec.DecoderUnits.Count; l++)
            {
                int units = spec.DecoderUnits[l];
                var (y, _, _) = Lstm($"decoder.lstm{l}", x, inputSize, units, "", "", "", needY: true, needC: false);
                x = g.Op("Squeeze", y, g.Int64s("axis1", 1));
                inputSize = units;
            }
            var output = g.Op("Transpose", [Head(x)], OnnxGraphBuilder.Attribute("perm", TimeMajor));
            if (spec.ReverseOutput)
                output = seqLens.Length > 0
                    ? g.Op("ReverseSequence", [output, g.Op("Cast", [seqLens], OnnxGraphBuilder.Attribute("to", (long)DataType.Int64))],
                        OnnxGraphBuilder.Attribute("batch_axis", 0L), OnnxGraphBuilder.Attribute("time_axis", 1L))
                    : g.Op("Slice", output, g.Int64s("starts", -1), g.Int64s("ends", long.MinValue), g.Int64s("axis1", 1), g.Int64s("step", -1));
            return Destandardize(output);
        }

        /// <summary>Dense over the last axis (MatMul broadcasts over the leading ones), then the head's activation.</summary>
        /// <summary>The coding from the last state: itself, a sparse model's sigmoid Dense layer, or a variational model's
        /// mean (what it encodes and decodes at evaluation; the log-variance is not exported).</summary>
        private string Coding(string state)
        {
            if (spec.Coding == CodingKind.State) return state;
            string name = spec.Coding == CodingKind.Sparse ? "encoder.coding" : "encoder.mean";
            int size = spec.CodingSize;
            var z = g.Op("Add", g.Op("MatMul", state, g.Floats($"{name}.kernel", weight($"{name}.kernel"), size, size)),
                g.Floats($"{name}.bias", weight($"{name}.bias"), size));
            return spec.Coding == CodingKind.Sparse ? g.Op("Sigmoid", z) : z;
        }

        private string Head(string hidden)
        {
            int units = spec.DecoderUnits[^1];
            var logits = g.Op("Add", g.Op("MatMul", hidden, g.Floats("decoder.dense.kernel", weight("decoder.dense.kernel"), units, F)),
                g.Floats("decoder.dense.bias", weight("decoder.dense.bias"), F));
            return spec.Head switch
            {
                OutputHead.Sigmoid => g.Op("Sigmoid", logits),
                OutputHead.Softmax => g.Op("Softmax", [logits], OnnxGraphBuilder.Attribute("axis", -1L)),
                _ => logits,
            };
        }

        /// <summary>One ONNX LSTM node of the Keras layer <paramref name="name"/>: returns its Y [steps, 1, batch, units],
        /// Y_h and Y_c [1, batch, units] (empty when not asked for).</summary>
        private (string Y, string Yh, string Yc) Lstm(string name, string x, int inputSize, int units, string seqLens,
            string initialH, string initialC, bool needY, bool needC)
        {
            var w = g.Floats($"{name}.W", OnnxLstmWeights.Matrix(weight($"{name}.kernel"), inputSize, units), 1, 4 * units, inputSize);
            var r = g.Floats($"{name}.R", OnnxLstmWeights.Matrix(weight($"{name}.recurrent_kernel"), units, units), 1, 4 * units, units);
            var b = g.Floats($"{name}.B", OnnxLstmWeights.Bias(weight($"{name}.bias"), units), 1, 8 * units);
            var inputs = new List<string> { x, w, r, b, seqLens, initialH, initialC };
            while (inputs[^1].Length == 0) inputs.RemoveAt(inputs.Count - 1);
            var outputs = new List<string> { needY ? $"{name}.Y" : "", $"{name}.Y_h", needC ? $"{name}.Y_c" : "" };
            while (outputs[^1].Length == 0) outputs.RemoveAt(outputs.Count - 1);
            var names = g.Node("LSTM", [.. inputs], [.. outputs], OnnxGraphBuilder.Attribute("hidden_size", (long)units));
            return (names[0], names[1], names.Length > 2 ? names[2] : "");
        }

        /// <summary>(x - mean) / std per feature, as <see cref="Standardizer.Apply"/>.</summary>
        private string Standardize(string x)
        {
            if (standardizer is null) return x;
            return g.Op("Div", g.Op("Sub", x, Mean()), Std());
        }

        /// <summary>y * std + mean per feature, as <see cref="Standardizer.InvertValues"/>.</summary>
        private string Destandardize(string y)
        {
            if (standardizer is null) return y;
            return g.Op("Add", g.Op("Mul", y, Std()), Mean());
        }

        private string Mean() => _mean ??= g.Floats("data.mean", standardizer!.Mean, F);
        private string Std() => _std ??= g.Floats("data.std", standardizer!.Std, F);
    }
}

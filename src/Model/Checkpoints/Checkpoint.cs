using RecurrentAE.Kernels;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using RecurrentAE.Model.Data;
using RecurrentAE.Model.Optimization;
using RecurrentAE.Model.Training;

namespace RecurrentAE.Model.Checkpoints;

/// <summary>
/// A training checkpoint: the architecture, the weights under the model's parameter names, the Adam state
/// (<c>optimizer.m.NAME</c> / <c>optimizer.v.NAME</c>, step in the metadata), the training options, the position
/// (next epoch and step) and the history. Stored as one safetensors file, written atomically.
/// </summary>
public sealed class Checkpoint
{
    /// <summary>The checkpoint's file name inside a run directory.</summary>
    public const string FileName = "model.safetensors";
    /// <summary>The value of <c>format</c> in the file's <c>__metadata__</c>.</summary>
    public const string Format = "recurrentae-checkpoint/1";

    /// <summary>Prefix of the best epoch's weights, stored while early stopping runs (<see cref="Trainer.BestWeights"/>).</summary>
    public const string BestPrefix = "best.";

    /// <summary>Prefix of the weights training had reached when the run ended on its best epoch's weights
    /// (<see cref="Trainer.LastWeights"/>): a resumed run continues from these, while the plain names hold the model to use.</summary>
    public const string LastPrefix = "last.";

    /// <summary>The model's architecture.</summary>
    public required AutoencoderSpec Spec { get; init; }
    /// <summary>Tensors by name: parameters, and optimizer moments when present.</summary>
    public required IReadOnlyDictionary<string, Tensor> Tensors { get; init; }
    /// <summary>Adam's step count t; null when the file holds no optimizer state.</summary>
    public int? AdamStep { get; init; }
    /// <summary>Adam's hyper-parameters, when stored.</summary>
    public AdamSettings? Adam { get; init; }
    /// <summary>The options the model was trained with, when stored.</summary>
    public TrainingOptions? Options { get; init; }
    /// <summary>Where training stood (the next epoch and step), when stored: what resuming continues from.</summary>
    public TrainingPosition? Position { get; init; }
    /// <summary>The figures of every finished epoch.</summary>
    public IReadOnlyList<EpochResult> History { get; init; } = [];
    /// <summary>The file's raw <c>__metadata__</c> (JSON strings by key).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    /// <summary>The data the model was trained on (kind, features, standardisation, labels, anomaly threshold);
    /// <see cref="DataInfo.FashionMnist"/> for checkpoints written before it was stored.</summary>
    public DataInfo Data { get; init; } = DataInfo.FashionMnist;
    /// <summary>The file it was loaded from.</summary>
    public string Path { get; init; } = "";

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary><paramref name="pathOrDirectory"/>: a checkpoint file, or a run directory holding model.safetensors.</summary>
    public static string Resolve(string pathOrDirectory) =>
        Directory.Exists(pathOrDirectory) ? System.IO.Path.Combine(pathOrDirectory, FileName) : pathOrDirectory;

    /// <summary>Saves the model (and, when given, the training state) atomically; <paramref name="bestWeights"/> and
    /// <paramref name="lastWeights"/> go under <see cref="BestPrefix"/> and <see cref="LastPrefix"/>.</summary>
    public static void Save(string path, RecurrentAutoencoder model, TrainingOptions? options = null,
        TrainingPosition? position = null, IReadOnlyList<EpochResult>? history = null, bool includeOptimizer = true,
        DataInfo? data = null, float[]? bestWeights = null, float[]? lastWeights = null)
    {
        var tensors = new List<Tensor>();
        void Add(string prefix, float[] flat)
        {
            if (flat.Length != model.ParameterCount) throw new ArgumentException($"{flat.Length} '{prefix}' weights for {model.ParameterCount} parameters");
            foreach (var p in model.Parameters)
                tensors.Add(new Tensor(prefix + p.Name, p.Shape, flat.AsSpan(p.Offset, p.Length).ToArray()));
        }
        Add("", model.GetParameters());
        if (bestWeights is not null) Add(BestPrefix, bestWeights);
        if (lastWeights is not null) Add(LastPrefix, lastWeights);
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["spec"] = model.Spec.ToJson(),
            ["adam"] = JsonSerializer.Serialize(model.Adam, Json),
        };
        if (includeOptimizer)
        {
            var state = model.GetOptimizerState();
            foreach (var p in model.Parameters)
                tensors.Add(new Tensor("optimizer.m." + p.Name, p.Shape, state.FirstMoment.AsSpan(p.Offset, p.Length).ToArray()));
            foreach (var p in model.Parameters)
                tensors.Add(new Tensor("optimizer.v." + p.Name, p.Shape, state.SecondMoment.AsSpan(p.Offset, p.Length).ToArray()));
            metadata["adam_step"] = state.Step.ToString(CultureInfo.InvariantCulture);
        }
        if (options is not null) metadata["training_options"] = JsonSerializer.Serialize(options, Json);
        if (position is not null) metadata["position"] = JsonSerializer.Serialize(position, Json);
        if (history is not null) metadata["history"] = JsonSerializer.Serialize(history, Json);
        if (data is not null) metadata["data"] = JsonSerializer.Serialize(data, Json);
        SafeTensors.Write(path, tensors, metadata);
    }

    /// <summary>Loads a checkpoint; a missing or corrupt file throws <see cref="DataFormatException"/> (one line).</summary>
    public static Checkpoint Load(string pathOrDirectory)
    {
        var path = Resolve(pathOrDirectory);
        if (!File.Exists(path))
            throw new DataFormatException($"{path}: checkpoint not found (train one with 'rae train --out DIR')");
        var (tensors, metadata) = SafeTensors.Read(path);
        return FromContents(tensors, metadata, path);
    }

    /// <summary>Parses a checkpoint already in memory; <paramref name="name"/> is used in messages. A corrupt one throws
    /// <see cref="DataFormatException"/> (one line).</summary>
    public static Checkpoint Parse(ReadOnlySpan<byte> bytes, string name)
    {
        var (tensors, metadata) = SafeTensors.Parse(bytes, name);
        return FromContents(tensors, metadata, name);
    }

    static Checkpoint FromContents(Dictionary<string, Tensor> tensors, Dictionary<string, string> metadata, string path)
    {
        if (!metadata.TryGetValue("spec", out var specJson))
            throw new DataFormatException($"{path}: corrupt checkpoint: no 'spec' in __metadata__ (not written by rae?)");
        AutoencoderSpec spec;
        try { spec = AutoencoderSpec.FromJson(specJson); }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException or NotSupportedException)
        {
            throw new DataFormatException($"{path}: corrupt checkpoint metadata ({IdxReader.OneLine(e.Message)})");
        }
        // A model of the spec is allocated before its weights are copied in: a spec that needs more weights than the
        // file holds is corrupt, and must not allocate a model of any size it names.
        long held = tensors.Where(t => !t.Key.StartsWith("optimizer.", StringComparison.Ordinal)).Sum(t => (long)t.Value.Data.Length);
        if (spec.ParameterCount() > held)
            throw new DataFormatException($"{path}: corrupt checkpoint: the model {spec} needs {spec.ParameterCount():N0} weights, the file holds {held:N0}");
        try
        {
            return new Checkpoint
            {
                Path = path,
                Spec = spec,
                Tensors = tensors,
                Metadata = metadata,
                AdamStep = metadata.TryGetValue("adam_step", out var s) ? int.Parse(s, CultureInfo.InvariantCulture) : null,
                Adam = metadata.TryGetValue("adam", out var a) ? JsonSerializer.Deserialize<AdamSettings>(a, Json) : null,
                Options = metadata.TryGetValue("training_options", out var o) ? JsonSerializer.Deserialize<TrainingOptions>(o, Json) : null,
                Position = metadata.TryGetValue("position", out var p) ? JsonSerializer.Deserialize<TrainingPosition>(p, Json) : null,
                History = metadata.TryGetValue("history", out var h) ? JsonSerializer.Deserialize<List<EpochResult>>(h, Json) ?? [] : [],
                Data = metadata.TryGetValue("data", out var d) ? ValidData(JsonSerializer.Deserialize<DataInfo>(d, Json)) : DataInfo.FashionMnist,
            };
        }
        catch (Exception e) when (e is JsonException or FormatException or OverflowException or KeyNotFoundException or InvalidOperationException or ArgumentException or NotSupportedException)
        {
            throw new DataFormatException($"{path}: corrupt checkpoint metadata ({IdxReader.OneLine(e.Message)})");
        }
    }

    /// <summary>True when the file holds Adam's moments and step (needed to resume training).</summary>
    public bool HasOptimizerState => AdamStep is not null;

    static DataInfo ValidData(DataInfo? d)
    {
        if (d is null || string.IsNullOrEmpty(d.Kind) || d.Features < 1) throw new FormatException("the 'data' entry is incomplete");
        if ((d.Mean is null) != (d.Std is null) || (d.Mean is not null && (d.Mean.Length != d.Features || d.Std!.Length != d.Features)))
            throw new FormatException($"the standardisation does not have {d.Features} means and deviations");
        if (d.IsText && (d.Vocabulary is null || d.Vocabulary.Size != d.Features))
            throw new FormatException($"a text model needs its vocabulary of {d.Features} symbols");
        if (d.IsSeries && (d.Series is not { Window: >= 1, Stride: >= 1, ScoreStride: >= 1, Smoothing: >= 1, EventGap: >= 0 } si || si.Columns?.Length != d.Features))
            throw new FormatException($"a series model needs its window, strides and {d.Features} column names");
        _ = d.ScoreRule; // a stored score rule must read back (FormatException otherwise)
        return d;
    }

    /// <summary>Copies the weights (and the optimizer state when asked and present) into a model of the same spec.</summary>
    public void ApplyTo(RecurrentAutoencoder model, bool includeOptimizer = true)
    {
        if (model.Spec.ToJson() != Spec.ToJson())
            throw new DataFormatException($"{Path}: checkpoint architecture {Spec.ToJson()} does not match the model {model.Spec.ToJson()}");
        model.SetParameters(Gather(model, ""));
        if (includeOptimizer && AdamStep is int step)
        {
            if (Adam is not null) model.Adam = Adam;
            model.SetOptimizerState(new OptimizerState(step, Gather(model, "optimizer.m."), Gather(model, "optimizer.v.")));
        }
    }

    /// <summary>Creates a model of the stored spec on <paramref name="backend"/> holding the stored weights.</summary>
    public RecurrentAutoencoder CreateModel(Kernels.IComputeBackend backend, int maxBatch = 256, bool includeOptimizer = false)
    {
        var model = new RecurrentAutoencoder(backend, Spec, Options?.Seed ?? 0, maxBatch);
        try { ApplyTo(model, includeOptimizer); }
        catch { model.Dispose(); throw; }
        return model;
    }

    /// <summary>Saves a run's whole training state: the model, the trainer's options, position and history, and its best
    /// and last weights (what <see cref="ResumeInto"/> restores).</summary>
    public static void Save(string path, RecurrentAutoencoder model, Trainer trainer, DataInfo? data = null) =>
        Save(path, model, trainer.Options, trainer.Position, trainer.History, data: data,
            bestWeights: trainer.BestWeights, lastWeights: trainer.LastWeights);

    /// <summary>Puts a saved run back: the weights training had reached (the <see cref="LastPrefix"/> set when the run
    /// ended on its best weights), Adam's state, and the trainer's position, history and best weights.</summary>
    public void ResumeInto(RecurrentAutoencoder model, Trainer trainer)
    {
        if (Position is null || !HasOptimizerState)
            throw new DataFormatException($"{Path}: holds no training state (options, position, Adam moments); cannot resume");
        ApplyTo(model, includeOptimizer: true);
        if (Weights(model, LastPrefix) is float[] last) model.SetParameters(last);
        trainer.BestWeights = Weights(model, BestPrefix);
        trainer.History.Clear();
        trainer.History.AddRange(History);
        trainer.Position = Position;
    }

    /// <summary>Whether the checkpoint holds a set of weights under <paramref name="prefix"/> (<see cref="BestPrefix"/>, <see cref="LastPrefix"/>).</summary>
    public bool HasWeights(string prefix) => Tensors.Keys.Any(k => k.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>The flat weights stored under <paramref name="prefix"/> in <paramref name="model"/>'s layout, or null when there are none.</summary>
    public float[]? Weights(RecurrentAutoencoder model, string prefix) => HasWeights(prefix) ? Gather(model, prefix) : null;

    float[] Gather(RecurrentAutoencoder model, string prefix)
    {
        var flat = new float[model.ParameterCount];
        foreach (var p in model.Parameters)
        {
            if (!Tensors.TryGetValue(prefix + p.Name, out var t))
                throw new DataFormatException($"{Path}: corrupt checkpoint: tensor '{prefix + p.Name}' is missing");
            if (!t.Shape.SequenceEqual(p.Shape))
                throw new DataFormatException($"{Path}: corrupt checkpoint: tensor '{t.Name}' has shape [{string.Join(",", t.Shape)}], the model needs [{string.Join(",", p.Shape)}]");
            t.Data.CopyTo(flat, p.Offset);
        }
        return flat;
    }
}

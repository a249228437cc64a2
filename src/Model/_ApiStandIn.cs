// TEMPORARY stand-in for the lead's model API (deleted before the final commit). Fake numerics, real signatures.
using System.Text.Json;
using RecurrentAE.Kernels;

namespace RecurrentAE.Model;

public sealed record AutoencoderSpec(int Features, IReadOnlyList<int> EncoderUnits, IReadOnlyList<int> DecoderUnits)
{
    public int CodingSize => EncoderUnits[^1];
    public static AutoencoderSpec Reference { get; } = new(28, [100, 30], [100]);
    public string ToJson() => JsonSerializer.Serialize(new { features = Features, encoder = EncoderUnits, decoder = DecoderUnits });
    public static AutoencoderSpec FromJson(string json)
    {
        using var d = JsonDocument.Parse(json);
        var r = d.RootElement;
        return new(r.GetProperty("features").GetInt32(),
            r.GetProperty("encoder").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            r.GetProperty("decoder").EnumerateArray().Select(e => e.GetInt32()).ToArray());
    }
}
public sealed record ParameterInfo(string Name, int[] Shape, int Offset, int Length);
public sealed record AdamSettings(float LearningRate = 1e-3f, float Beta1 = 0.9f, float Beta2 = 0.999f, float Epsilon = 1e-7f);
public sealed record OptimizerState(int Step, float[] FirstMoment, float[] SecondMoment);

public sealed class SequenceDataset
{
    public SequenceDataset(float[] values, int count, int steps, int features, int[]? labels = null)
    { Values = values; Count = count; Steps = steps; Features = features; Labels = labels; }
    public float[] Values; public int Count; public int Steps; public int Features; public int[]? Labels;
    public SequenceDataset Take(int start, int count)
    {
        int n = Steps * Features;
        return new(Values.AsSpan(start * n, count * n).ToArray(), count, Steps, Features, Labels?.AsSpan(start, count).ToArray());
    }
}

public sealed class DeviceDataset : IDisposable
{
    internal SequenceDataset Host = null!;
    public int Count; public int Steps; public int Features;
    public void Dispose() { }
}

public sealed class RecurrentAutoencoder : IDisposable
{
    float[] _p; float[] _m; float[] _v; int _step;
    public RecurrentAutoencoder(IComputeBackend backend, AutoencoderSpec spec, int seed, int maxBatch = 256)
    {
        Backend = backend; Spec = spec;
        var list = new List<ParameterInfo>(); int off = 0;
        void Add(string name, params int[] shape) { int len = shape.Aggregate(1, (a, b) => a * b); list.Add(new(name, shape, off, len)); off += len; }
        int inp = spec.Features; int i = 0;
        foreach (var u in spec.EncoderUnits) { Add($"encoder.lstm{i}.kernel", inp, 4 * u); Add($"encoder.lstm{i}.recurrent_kernel", u, 4 * u); Add($"encoder.lstm{i}.bias", 4 * u); inp = u; i++; }
        i = 0;
        foreach (var u in spec.DecoderUnits) { Add($"decoder.lstm{i}.kernel", inp, 4 * u); Add($"decoder.lstm{i}.recurrent_kernel", u, 4 * u); Add($"decoder.lstm{i}.bias", 4 * u); inp = u; i++; }
        Add("decoder.dense.kernel", inp, spec.Features); Add("decoder.dense.bias", spec.Features);
        Parameters = list; ParameterCount = off;
        var rng = new Random(seed); _p = new float[off]; for (int k = 0; k < off; k++) _p[k] = (float)(rng.NextDouble() - 0.5);
        _m = new float[off]; _v = new float[off];
    }
    public AutoencoderSpec Spec { get; } public IComputeBackend Backend { get; }
    public IReadOnlyList<ParameterInfo> Parameters { get; } public int ParameterCount { get; }
    public AdamSettings Adam { get; set; } = new();
    public float[] GetParameters() => (float[])_p.Clone();
    public void SetParameters(ReadOnlySpan<float> values) => values.CopyTo(_p);
    public OptimizerState GetOptimizerState() => new(_step, (float[])_m.Clone(), (float[])_v.Clone());
    public void SetOptimizerState(OptimizerState s) { _step = s.Step; s.FirstMoment.CopyTo(_m, 0); s.SecondMoment.CopyTo(_v, 0); }
    internal void FakeStep(int batchHash) { _step++; for (int k = 0; k < _p.Length; k++) { _m[k] = 0.9f * _m[k] + 0.001f * batchHash; _p[k] -= 1e-4f * _m[k]; } }
    public float[] Encode(ReadOnlySpan<float> sequences, int count, int steps)
    {
        var r = new float[count * Spec.CodingSize];
        for (int b = 0; b < count; b++) for (int c = 0; c < Spec.CodingSize; c++) r[b * Spec.CodingSize + c] = sequences[b * steps * Spec.Features + c % (steps * Spec.Features)] + _p[c];
        return r;
    }
    public float[] Decode(ReadOnlySpan<float> codings, int count, int steps) => new float[count * steps * Spec.Features];
    public float[] Reconstruct(ReadOnlySpan<float> sequences, int count, int steps)
    {
        var r = sequences[..(count * steps * Spec.Features)].ToArray();
        for (int k = 0; k < r.Length; k++) r[k] = Math.Clamp(r[k] * 0.8f + 0.1f, 0f, 1f);
        return r;
    }
    public double Evaluate(DeviceDataset data, int batchSize = 256) => 0.25 + Math.Abs(_p[0]) * 0.01;
    public DeviceDataset Upload(SequenceDataset data) => new() { Host = data, Count = data.Count, Steps = data.Steps, Features = data.Features };
    public void Dispose() { }
}

public sealed record TrainingOptions(int Epochs = 10, int BatchSize = 32, float LearningRate = 1e-3f, int Seed = 42, int? MaxStepsPerEpoch = null);
public sealed record EpochResult(int Epoch, double Loss, double ValLoss, double Seconds, double MsPerStep);
public sealed record TrainingPosition(int Epoch, int Step, double LossSum, int LossCount);

public sealed class TrainingDivergedException(string message) : Exception(message);

public sealed class Trainer
{
    readonly RecurrentAutoencoder _model; readonly DeviceDataset _train, _valid; readonly TrainingOptions _o;
    public Trainer(RecurrentAutoencoder model, DeviceDataset train, DeviceDataset valid, TrainingOptions options)
    { _model = model; _train = train; _valid = valid; _o = options; int full = (train.Count + options.BatchSize - 1) / options.BatchSize; StepsPerEpoch = options.MaxStepsPerEpoch is int m ? Math.Min(m, full) : full; }
    public TrainingPosition Position { get; set; } = new(0, 0, 0, 0);
    public List<EpochResult> History { get; } = [];
    public Action<int, int, int, double>? StepCompleted { get; set; }
    public Action<EpochResult>? EpochCompleted { get; set; }
    public int StepsPerEpoch { get; }
    public bool Run(CancellationToken cancel)
    {
        while (Position.Epoch < _o.Epochs)
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            int e = Position.Epoch;
            for (int s = Position.Step; s < StepsPerEpoch; s++)
            {
                int h = (e * 7919 + s * 31 + _o.Seed) % 97;
                _model.FakeStep(h);
                double loss = 0.3 + 0.1 / (1 + e) + h * 1e-4;
                if (Environment.GetEnvironmentVariable("RAE_STANDIN_NAN") == $"{e + 1}") loss = double.NaN;
                if (!double.IsFinite(loss)) throw new TrainingDivergedException($"loss became NaN at epoch {e + 1} step {s + 1}");
                Position = new(e, s + 1, Position.LossSum + loss, Position.LossCount + 1);
                StepCompleted?.Invoke(e + 1, s + 1, StepsPerEpoch, Position.LossSum / Position.LossCount);
                Thread.Sleep(1);
                if (cancel.IsCancellationRequested && s + 1 < StepsPerEpoch) return false;
            }
            var r = new EpochResult(e + 1, Position.LossSum / Position.LossCount, _model.Evaluate(_valid), sw.Elapsed.TotalSeconds, sw.Elapsed.TotalMilliseconds / StepsPerEpoch);
            History.Add(r);
            Position = new(e + 1, 0, 0, 0);
            EpochCompleted?.Invoke(r);
            if (cancel.IsCancellationRequested) return Position.Epoch >= _o.Epochs;
        }
        return true;
    }
}

using System.Diagnostics;
using RecurrentAE.Model.Export;
using RecurrentAE.Runner.Onnx;

namespace RecurrentAE.Runner.Benchmarks;

/// <summary>One row of <c>rae bench --inference</c>: an operation at one batch size on our backend and on ONNX Runtime
/// running the exported graph of the same weights, timed in the same run.</summary>
internal sealed record InferenceResult(string Backend, int Threads, string Operation, int Batch,
    double OursSamplesPerSecond, double OnnxSamplesPerSecond, double OursMsPerCall, double OnnxMsPerCall, int Repeats)
{
    /// <summary>Ours over ONNX Runtime's samples/s: above 1, ours is faster.</summary>
    public double Ratio => OursSamplesPerSecond / OnnxSamplesPerSecond;
}

/// <summary>
/// Times inference of the reference model (random weights, 28 x 28 host sequences in, host arrays out): encode (the
/// codings) and reconstruct (encode and decode) through the public API, RecurrentAutoencoder.Encode / Reconstruct, and
/// ONNX Runtime running <see cref="OnnxExport"/>'s encoder and autoencoder graphs of the same weights (CPU, intra-op
/// threads = ours, one inter-op thread). Each (operation, runtime) is warmed up first; the repeats alternate ours and
/// ONNX Runtime, so a slow spell of a shared machine falls on both; each repeat runs enough calls to take about
/// <see cref="RepeatSeconds"/>; the median repeat is reported.
/// </summary>
internal static class InferenceBenchmark
{
    /// <summary>The time one timed repeat aims at.</summary>
    public const double RepeatSeconds = 0.25;

    /// <summary>Rows for each batch size: encode, then reconstruct, on <paramref name="backend"/> and on ONNX Runtime with
    /// <paramref name="threads"/> intra-op threads (0: ONNX Runtime's default, all cores).</summary>
    public static IReadOnlyList<InferenceResult> Run(IComputeBackend backend, int threads, IReadOnlyList<int> batches, int repeats,
        TimeSpan warmup, AutoencoderSpec? spec = null, int steps = 28)
    {
        spec ??= AutoencoderSpec.Reference;
        int maxBatch = batches.Max();
        using var model = new RecurrentAutoencoder(backend, spec, seed: 1, maxBatch: maxBatch);
        using var onnxEncoder = new OnnxSession(OnnxExport.ToBytes(model, options: new OnnxExportOptions(OnnxPart.Encoder)), threads);
        using var onnxAutoencoder = new OnnxSession(OnnxExport.ToBytes(model), threads);
        var random = new Random(1);
        var results = new List<InferenceResult>();
        foreach (int batch in batches)
        {
            var values = new float[batch * steps * spec.Features];
            for (int i = 0; i < values.Length; i++) values[i] = (float)random.NextDouble();
            var operations = new (string Name, Action Ours, Action Onnx)[]
            {
                ("encode", () => model.Encode(values, batch, steps), () => onnxEncoder.Encode(values, batch, steps, spec.Features)),
                ("reconstruct", () => model.Reconstruct(values, batch, steps), () => onnxAutoencoder.Reconstruct(values, batch, steps, spec.Features)),
            };
            foreach (var (name, ours, onnx) in operations)
            {
                int oursCalls = Calibrate(ours, warmup), onnxCalls = Calibrate(onnx, warmup);
                var oursTimes = new List<double>();
                var onnxTimes = new List<double>();
                for (int r = 0; r < repeats; r++)
                {
                    oursTimes.Add(Time(ours, oursCalls));
                    onnxTimes.Add(Time(onnx, onnxCalls));
                }
                double oursMs = Median(oursTimes), onnxMs = Median(onnxTimes);
                results.Add(new InferenceResult(backend.Name, threads, name, batch, batch * 1000 / oursMs, batch * 1000 / onnxMs, oursMs, onnxMs, repeats));
            }
        }
        return results;
    }

    /// <summary>Runs <paramref name="call"/> for the warm-up (at least 3 calls) and returns how many calls make a repeat.</summary>
    private static int Calibrate(Action call, TimeSpan warmup)
    {
        var clock = Stopwatch.StartNew();
        int calls = 0;
        do { call(); calls++; } while (clock.Elapsed < warmup || calls < 3);
        double last = Time(call, 1) / 1000;
        return Math.Max(1, (int)Math.Round(RepeatSeconds / Math.Max(last, 1e-6)));
    }

    /// <summary>Milliseconds a call, over <paramref name="calls"/> calls.</summary>
    private static double Time(Action call, int calls)
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < calls; i++) call();
        return clock.Elapsed.TotalMilliseconds / calls;
    }

    private static double Median(List<double> times)
    {
        times.Sort();
        return times[times.Count / 2];
    }
}

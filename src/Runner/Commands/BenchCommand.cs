using System.CommandLine;
using System.Text.Json;
using RecurrentAE.Model.IO;
using RecurrentAE.Runner.Benchmarks;

namespace RecurrentAE.Runner.Commands;

/// <summary>
/// <c>rae bench</c>: ms per training step and samples/s of the reference model on each backend present (or those chosen
/// with --accelerator), at each batch size, warm-up excluded, median of repeats; beside it the GFLOP/s of a plain large
/// GEMM on the same backend, measured in the same run. Each row also prints a RESULT line that bench/compare.sh reads.
/// ilgpu-cpu is benched only when named: it emulates a GPU thread grid and takes seconds a step.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(RaeContext ctx)
    {
        var accelerators = new Option<string[]>("--accelerator", "-a")
        {
            Description = "Backends to time (repeat or comma-separate); default: every GPU present and cpu",
            AllowMultipleArgumentsPerToken = true,
        };
        var threads = new Option<string>("--threads")
        {
            Description = "Thread counts for the cpu backend, comma-separated (default: 1 and all cores)",
        };
        var batches = new Option<string>("--batch-sizes") { Description = "Batch sizes, comma-separated", DefaultValueFactory = _ => "32,256" };
        var steps = CommonOptions.PositiveInt("--steps", 50, "Training steps in each timed repeat");
        var repeats = CommonOptions.PositiveInt("--repeats", 5, "Timed repeats (the median is reported)");
        var warmup = new Option<double>("--warmup") { Description = "Seconds of warm-up before timing (the JIT needs about 1)", DefaultValueFactory = _ => 2.0 };
        var json = new Option<string?>("--json") { Description = "Also write the rows to this JSON file" };
        var checkOnly = new Option<bool>("--check-only")
        {
            Description = "Only check that each backend's loss and gradients match the cpu backend's on fixed inputs (exit 1 if not)",
        };

        var inference = new Option<bool>("--inference")
        {
            Description = "Time inference instead: encode and reconstruct (samples/s, default batch sizes 1,32,256) on each backend beside ONNX Runtime running the exported graph of the same weights with the same threads",
        };

        var command = new Command("bench", "Time a training step of the reference model on each backend (--inference: encode and reconstruct, beside ONNX Runtime)");
        foreach (var o in new Option[] { accelerators, threads, batches, steps, repeats, warmup, json, checkOnly, inference }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            var names = Split(parse.GetValue(accelerators) ?? []);
            if (names.Count == 0) names = [.. BackendFactory.Available().Where(n => n is "cuda" or "opencl" or "cpu")];
            foreach (var n in names)
                if (!BackendFactory.Names.Contains(n) || n == "auto")
                    throw new UsageException($"unknown accelerator '{n}' for bench: use cuda, opencl, ilgpu-cpu or cpu");
            var threadCounts = ParseInts(parse.GetValue(threads) ?? $"1,{Environment.ProcessorCount}", "--threads").Distinct().ToList();
            bool timeInference = parse.GetValue(inference);
            var batchSizes = ParseInts(timeInference && parse.GetResult(batches) is null or { Implicit: true } ? "1,32,256" : parse.GetValue(batches)!, "--batch-sizes");
            if (parse.GetValue(checkOnly)) return Check(ctx, names);
            var warm = TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(warmup)));
            if (timeInference) return Inference(ctx, names, threadCounts, batchSizes, parse.GetValue(repeats), warm, parse.GetValue(json));

            var rows = new List<BenchResult>();
            bool parallel = ctx.World.Size > 1;
            if (parallel) ctx.Out.WriteLine($"Data parallel on {ctx.World.Size} ranks: each global batch split across them; all-reduce = ms a step spent in the gradient all-reduce");
            ctx.Out.WriteLine($"{"backend",-10}{"threads",8}{"batch",7}{"ms/step",10}{(parallel ? $"{"all-reduce",12}" : "")}{"samples/s",11}{"GFLOP/s",9}{"GEMM GFLOP/s",14}  device");
            foreach (var name in names)
                foreach (int t in name == "cpu" ? threadCounts : [0])
                {
                    using var backend = BackendFactory.Create(name, t, RecurrentAE.Model.Distributed.MpiLaunch.LocalRank);
                    foreach (int b in batchSizes)
                    {
                        var r = TrainingBenchmark.Run(backend, t, b, parse.GetValue(steps), parse.GetValue(repeats), warm, world: ctx.World);
                        rows.Add(r);
                        ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"{r.Backend,-10}{(t == 0 ? "-" : t.ToString(CultureInfo.InvariantCulture)),8}{r.Batch,7}{r.MsPerStep,10:F3}{(parallel ? $"{r.AllReduceMsPerStep,12:F3}" : "")}{r.SamplesPerSecond,11:F0}{r.EffectiveGflops,9:F1}{r.GemmGflops,14:F1}  {r.Device}"));
                        ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"RESULT backend={r.Backend} threads={t} batch={r.Batch} ms_per_step={r.MsPerStep:F4}{(parallel ? $" ranks={r.Ranks} allreduce_ms_per_step={r.AllReduceMsPerStep:F4}" : "")}"));
                    }
                }
            if (parse.GetValue(json) is string path && ctx.World.Rank == 0)
                AtomicFile.WriteAllText(path, JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true }));
            return RaeApp.Ok;
        });
        return command;
    }

    /// <summary>Inference on each backend (each thread count for cpu; ONNX Runtime with the same count, or all cores for the others) beside ONNX Runtime.</summary>
    private static int Inference(RaeContext ctx, IReadOnlyList<string> names, IReadOnlyList<int> threadCounts, IReadOnlyList<int> batchSizes,
        int repeats, TimeSpan warmup, string? json)
    {
        if (batchSizes.Max() > 4096) throw new UsageException("--batch-sizes: at most 4096 for --inference");
        var rows = new List<InferenceResult>();
        // Warm-up per (operation, batch, runtime): the first ones also warm the JIT.
        var warm = TimeSpan.FromSeconds(warmup.TotalSeconds / 4);
        ctx.Out.WriteLine($"{"backend",-10}{"threads",8}  {"operation",-12}{"batch",6}{"ours samples/s",16}{"ONNX RT samples/s",19}{"ours/ORT",10}");
        foreach (var name in names)
            foreach (int t in name == "cpu" ? threadCounts : [0])
            {
                using var backend = BackendFactory.Create(name, t);
                foreach (var r in InferenceBenchmark.Run(backend, t, batchSizes, repeats, warm))
                {
                    rows.Add(r);
                    ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{r.Backend,-10}{(t == 0 ? "-" : t.ToString(CultureInfo.InvariantCulture)),8}  {r.Operation,-12}{r.Batch,6}{r.OursSamplesPerSecond,16:F0}{r.OnnxSamplesPerSecond,19:F0}{r.Ratio,10:F2}"));
                    ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"RESULT inference backend={r.Backend} threads={t} op={r.Operation} batch={r.Batch} ours_samples_per_s={r.OursSamplesPerSecond:F1} onnxruntime_samples_per_s={r.OnnxSamplesPerSecond:F1}"));
                }
            }
        if (json is not null && ctx.World.Rank == 0) AtomicFile.WriteAllText(json, JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true }));
        return RaeApp.Ok;
    }

    /// <summary>Each backend against the cpu backend: the reference model, the same weights, one fixed batch.</summary>
    private static int Check(RaeContext ctx, IReadOnlyList<string> names)
    {
        using var baseline = BackendFactory.Create("cpu", 0);
        bool ok = true;
        foreach (var name in names.Where(n => n != "cpu"))
        {
            using var backend = BackendFactory.Create(name, 0);
            // The reference shapes on a GPU; tiny ones on ILGPU's CPU accelerator, which is too slow for the real model.
            var (spec, batch, steps) = name == "ilgpu-cpu" ? (new AutoencoderSpec(5, [7, 3], [6]), 3, 4) : (AutoencoderSpec.Reference, 32, 28);
            var r = BackendAgreement.Compare(backend, baseline, spec, batch, steps);
            ok &= r.Passes();
            ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Backend} vs {r.Baseline}: loss {r.Loss:F7} vs {r.BaselineLoss:F7} (relative {r.LossRelativeError:E2}); worst gradient relative error {r.GradientRelativeError:E2} in {r.WorstParameter} -> {(r.Passes() ? "OK" : "MISMATCH")}"));
        }
        return ok ? RaeApp.Ok : RaeApp.Failure;
    }

    private static List<string> Split(IEnumerable<string> values) =>
        [.. values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];

    private static List<int> ParseInts(string text, string flag)
    {
        var result = new List<int>();
        foreach (var part in Split([text]))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) || v < 1)
                throw new UsageException($"{flag} takes positive whole numbers separated by commas, not '{text}'");
            result.Add(v);
        }
        if (result.Count == 0) throw new UsageException($"{flag} needs at least one value");
        return result;
    }
}

using System.Text.Json;
using RecurrentAE.Runner.Benchmarks;

namespace RecurrentAE.Tests.Runner;

public class BenchCommandTests
{
    [Fact]
    public void Check_only_compares_ilgpu_cpu_with_the_cpu_backend()
    {
        var (code, output, _) = CliTests.Rae("bench", "--accelerator", "ilgpu-cpu", "--check-only");
        Assert.Equal(0, code);
        Assert.Contains("ilgpu-cpu vs cpu", output);
        Assert.Contains("OK", output);
    }

    [Fact]
    public void Timing_rows_go_to_the_terminal_and_to_json()
    {
        var json = Path.Combine(Path.GetTempPath(), $"rae-bench-{Guid.NewGuid():N}.json");
        try
        {
            var (code, output, err) = CliTests.Rae("bench", "-a", "cpu", "--threads", "1", "--batch-sizes", "2", "--steps", "1", "--repeats", "1", "--warmup", "0");
            Assert.True(code == 0, err);
            Assert.Contains("RESULT backend=cpu threads=1 batch=2 ms_per_step=", output);
            (code, _, err) = CliTests.Rae("bench", "-a", "cpu", "--threads", "1", "--batch-sizes", "1", "--steps", "1", "--repeats", "1", "--warmup", "0", "--json", json);
            Assert.True(code == 0, err);
            var rows = JsonSerializer.Deserialize<BenchResult[]>(File.ReadAllText(json))!;
            var row = Assert.Single(rows);
            Assert.Equal(1, row.Batch);
            Assert.True(row.MsPerStep > 0 && row.GemmGflops > 0);
        }
        finally { File.Delete(json); }
    }

    [Fact]
    public void Inference_rows_put_ours_beside_onnx_runtime()
    {
        var json = Path.Combine(Path.GetTempPath(), $"rae-bench-{Guid.NewGuid():N}.json");
        try
        {
            var (code, output, err) = CliTests.Rae("bench", "--inference", "-a", "cpu", "--threads", "1", "--batch-sizes", "2", "--repeats", "1", "--warmup", "0", "--json", json);
            Assert.True(code == 0, err);
            Assert.Contains("ONNX RT samples/s", output);
            Assert.Contains("RESULT inference backend=cpu threads=1 op=encode batch=2 ours_samples_per_s=", output);
            Assert.Contains("RESULT inference backend=cpu threads=1 op=reconstruct batch=2 ours_samples_per_s=", output);
            var rows = JsonSerializer.Deserialize<InferenceResult[]>(File.ReadAllText(json))!;
            Assert.Equal(["encode", "reconstruct"], rows.Select(r => r.Operation));
            Assert.All(rows, r => Assert.True(r.Batch == 2 && r.OursSamplesPerSecond > 0 && r.OnnxSamplesPerSecond > 0));
        }
        finally { File.Delete(json); }
    }

    [Theory]
    [InlineData("--batch-sizes", "32,x")]
    [InlineData("--threads", "0")]
    [InlineData("--accelerator", "tpu")]
    public void Bad_bench_flags_exit_with_2(string flag, string value)
    {
        var (code, _, err) = CliTests.Rae("bench", flag, value, "--check-only");
        Assert.Equal(2, code);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Flop_count_of_the_reference_model_matches_the_published_figure()
    {
        // docs/reference.md: about 6.8 MFLOP a sample forward, 0.66 GFLOP a training step of 32.
        Assert.Equal(6_809_600, ModelFlops.ForwardPerSequence(AutoencoderSpec.Reference, 28));
        // teacher forcing: the first decoder LSTM's input is [coding ; previous step], 28 more inputs
        Assert.Equal(6_809_600 + 28 * 2 * 28 * 4 * 100, ModelFlops.ForwardPerSequence(AutoencoderSpec.Reference with { TeacherForcing = true }, 28));
        Assert.InRange(ModelFlops.TrainingStep(AutoencoderSpec.Reference, 28, 32), 0.65e9, 0.66e9);
    }
}

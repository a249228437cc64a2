using RecurrentAE.Kernels.Cpu;

namespace RecurrentAE.Tests.Model;

/// <summary>Encode and Reconstruct keep their workspaces between calls: a warm call on the cpu backend allocates little more
/// than the array it returns (measured on the calling thread; the backend's workers allocate nothing once warm).</summary>
public class InferenceAllocationTests
{
    [Fact]
    public void WarmCallsAllocateAboutTheirResult()
    {
        using var backend = new CpuBackend(1);
        var spec = new AutoencoderSpec(6, [8, 4], [8], ReverseOutput: true);
        using var model = new RecurrentAutoencoder(backend, spec, seed: 3, maxBatch: 16);
        int count = 16, steps = 10;
        var values = ModelTestData.RandomSequences(new Random(ModelTestData.FreshSeed()), count, steps, spec.Features);
        var data = new SequenceDataset(values, count, steps, spec.Features, lengths: [.. Enumerable.Range(0, count).Select(i => 1 + i % steps)]);
        for (int i = 0; i < 3; i++) { model.Encode(values, count, steps); model.Reconstruct(values, count, steps); model.Reconstruct(data); }

        long before = GC.GetAllocatedBytesForCurrentThread();
        var reconstruction = model.Reconstruct(values, count, steps);
        long reconstructBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        model.Reconstruct(data);
        long raggedBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        var codings = model.Encode(values, count, steps);
        long encodeBytes = GC.GetAllocatedBytesForCurrentThread() - before;

        // The result's bytes plus a little (an array header, a delegate or two), never a copy of the input (3,840 bytes here).
        Assert.InRange(reconstructBytes, reconstruction.Length * 4, reconstruction.Length * 4 + 1024);
        Assert.InRange(raggedBytes, reconstruction.Length * 4, reconstruction.Length * 4 + 1024);
        Assert.InRange(encodeBytes, codings.Length * 4, codings.Length * 4 + 1024);
    }
}

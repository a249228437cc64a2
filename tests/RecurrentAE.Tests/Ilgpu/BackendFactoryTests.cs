namespace RecurrentAE.Tests.Ilgpu;

public sealed class BackendFactoryTests
{
    [Fact]
    public void Cpu_AndIlgpuCpu_AreAlwaysThere()
    {
        using var cpu = BackendFactory.Create("cpu", 1);
        Assert.Equal("cpu", cpu.Name);
        using var ilgpu = BackendFactory.Create("ilgpu-cpu");
        Assert.Equal("ilgpu-cpu", ilgpu.Name);
        Assert.False(string.IsNullOrWhiteSpace(ilgpu.Description));
    }

    [Fact]
    public void MissingAccelerator_ThrowsWithTheAvailableOnes()
    {
        var available = BackendFactory.Available();
        Assert.Contains("cpu", available);
        Assert.Contains("ilgpu-cpu", available);
        foreach (var name in new[] { "cuda", "opencl" })
        {
            if (available.Contains(name))
            {
                using var be = BackendFactory.Create(name);
                Assert.Equal(name, be.Name);
            }
            else
            {
                var e = Assert.Throws<BackendUnavailableException>(() => BackendFactory.Create(name));
                Assert.Contains(name, e.Message, StringComparison.Ordinal);
                Assert.Contains("cpu", e.Message, StringComparison.Ordinal);
                Assert.DoesNotContain('\n', e.Message);
            }
        }
        var unknown = Assert.Throws<BackendUnavailableException>(() => BackendFactory.Create("tpu"));
        Assert.Contains("ilgpu-cpu", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_PicksAGpuOrTheCpuBackend()
    {
        using var be = BackendFactory.Create("auto", 1);
        var available = BackendFactory.Available();
        string expected = available.Contains("cuda") ? "cuda" : available.Contains("opencl") ? "opencl" : "cpu";
        Assert.Equal(expected, be.Name);
    }

    [Fact]
    public void ListDevices_DescribesEveryKind()
    {
        var lines = BackendFactory.ListDevices();
        Assert.Contains(lines, l => l.StartsWith("cpu:", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("ilgpu-cpu:", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("cuda:", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("opencl:", StringComparison.Ordinal));
    }
}

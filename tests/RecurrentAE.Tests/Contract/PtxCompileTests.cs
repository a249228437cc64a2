using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using RecurrentAE.Kernels.Ilgpu;

namespace RecurrentAE.Tests.Contract;

/// <summary>Every ILGPU kernel compiles to PTX for Ampere and Hopper without a GPU (ILGPU's PTX backend needs no driver).</summary>
public sealed class PtxCompileTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var arch in new[] { "SM_80", "SM_90" })
            foreach (var (method, _) in IlgpuBackend.KernelMethods)
                data.Add(arch, $"{method.DeclaringType!.Name}.{method.Name}");
        return data;
    }

    [Fact]
    public void KernelList_CoversEveryKernelMethod()
    {
        // every public static method of the kernel classes is in the list (a new kernel cannot escape this test)
        var kernelTypes = IlgpuBackend.KernelMethods.Select(k => k.Method.DeclaringType!).Distinct().ToList();
        var all = kernelTypes.SelectMany(t => t.GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}").OrderBy(s => s).ToList();
        var listed = IlgpuBackend.KernelMethods.Select(k => $"{k.Method.DeclaringType!.Name}.{k.Method.Name}").OrderBy(s => s).ToList();
        Assert.Equal(all, listed);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Kernel_CompilesToPtx(string architecture, string kernel)
    {
        var arch = architecture == "SM_80" ? CudaArchitecture.SM_80 : CudaArchitecture.SM_90;
        var (method, grouped) = IlgpuBackend.KernelMethods.Single(k => $"{k.Method.DeclaringType!.Name}.{k.Method.Name}" == kernel);
        using var context = Context.Create(b => b.CPU().EnableAlgorithms());
        using var backend = new PTXBackend(context, arch, CudaInstructionSet.ISA_80, null!);
        var entry = grouped
            ? EntryPointDescription.FromExplicitlyGroupedKernel(method)
            : EntryPointDescription.FromImplicitlyGroupedKernel(method);
        var compiled = (PTXCompiledKernel)backend.Compile(entry, KernelSpecialization.Empty);
        Assert.Contains(".entry", compiled.PTXAssembly, StringComparison.Ordinal);
        // ILGPU 1.5.3 emits ".target sm_80" even for an SM_90 backend (seen here); PTX for sm_80 is JIT-compiled
        // forward on Hopper, so accept any target from sm_80 up to the one asked for.
        var target = System.Text.RegularExpressions.Regex.Match(compiled.PTXAssembly, @"\.target sm_(\d+)");
        Assert.True(target.Success, compiled.PTXAssembly[..Math.Min(400, compiled.PTXAssembly.Length)]);
        int sm = int.Parse(target.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(sm, 80, architecture == "SM_80" ? 80 : 90);
        if (kernel.StartsWith("LstmPersistentKernels.", StringComparison.Ordinal))
        {
            // the recurrent state lives in the launch's dynamic shared memory, steps are separated by group barriers,
            // and nothing spills to local memory (no per-thread arrays)
            Assert.Contains("__dyn_shared_alloca", compiled.PTXAssembly, StringComparison.Ordinal);
            Assert.Contains("bar.sync", compiled.PTXAssembly, StringComparison.Ordinal);
            Assert.DoesNotContain(".local", compiled.PTXAssembly, StringComparison.Ordinal);
        }
        if (Environment.GetEnvironmentVariable("RAE_PTX_DUMP") is { Length: > 0 } dump)
            File.WriteAllText(Path.Combine(dump, $"{kernel}.{architecture}.ptx"), compiled.PTXAssembly);
    }
}

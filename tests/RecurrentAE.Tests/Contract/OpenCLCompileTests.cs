using System.Diagnostics;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.OpenCL;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.OpenCL;
using RecurrentAE.Kernels.Ilgpu;
using Xunit.Abstractions;

namespace RecurrentAE.Tests.Contract;

/// <summary>
/// Every ILGPU kernel's OpenCL C, generated without a device by ILGPU's <see cref="CLBackend"/> for the capabilities a
/// CL 2.0 GPU reports (generic address space, fp16, fp64, 64-bit atomics; with and without sub-groups), compiles with
/// clang for SPIR (spir64) and for a real GPU ISA (AMD gfx90a, with libclc's builtins linked in). Needs clang and libclc
/// (<c>scripts/setup.sh</c> installs them).
/// </summary>
public sealed class OpenCLCompileTests(OpenCLSourceFixture sources, ITestOutputHelper output) : IClassFixture<OpenCLSourceFixture>
{
    private const string Spir64 = "spir64", Gfx90a = "amdgcn-gfx90a";

    /// <summary>Builtins a CL 2.0 driver provides but Debian's libclc lacks (it implements OpenCL 1.2 plus a few):
    /// the only calls an amdgcn object may leave unresolved.</summary>
    private static readonly string[] DriverOnlyBuiltins =
        ["work_group_barrier", "get_sub_group_size", "get_sub_group_local_id", "get_sub_group_id", "sub_group_reduce_add"];

    public static TheoryData<string, bool, string> Cases()
    {
        var data = new TheoryData<string, bool, string>();
        foreach (var target in new[] { Spir64, Gfx90a })
            foreach (var subGroups in new[] { true, false })
                foreach (var (method, _) in IlgpuBackend.KernelMethods)
                    data.Add(target, subGroups, $"{method.DeclaringType!.Name}.{method.Name}");
        return data;
    }

    /// <summary>The capabilities ILGPU reads from a CL 2.0 GPU such as an MI200 (it refuses devices without the
    /// generic address space).</summary>
    internal static CLCapabilityContext GpuCapabilities(bool subGroups) =>
        new(float16: true, float64: true, genericAddressSpace: true, int64_Atomics: true, subGroups: subGroups);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Kernel_OpenCLC_compiles_for_a_CL20_GPU(string target, bool subGroups, string kernel)
    {
        var capabilities = GpuCapabilities(subGroups);
        var (method, grouped) = IlgpuBackend.KernelMethods.Single(k => $"{k.Method.DeclaringType!.Name}.{k.Method.Name}" == kernel);
        bool loaded = IlgpuBackend.KernelMethodsFor(AcceleratorType.OpenCL, capabilities).Any(k => k.Method == method);
        string source = sources.Generate(method, grouped, subGroups);
        if (Environment.GetEnvironmentVariable("RAE_CL_DUMP") is { Length: > 0 } dump)
            File.WriteAllText(Path.Combine(dump, $"{kernel}.{(subGroups ? "subgroups" : "nosubgroups")}.cl"), source);

        var (exitCode, messages, undefined) = CompileWithClang(source, target, subGroups);
        if (!loaded)
        {
            // the backend does not load this kernel on such a device, because it cannot compile there: check that it
            // really does not (if it ever does, the per-step fallback is no longer needed)
            Assert.False(subGroups, $"{kernel} is left out on a device with sub-groups");
            Assert.True(exitCode != 0, $"{kernel} compiled for {target} without sub-groups; the backend need not leave it out");
            Assert.Contains("sub_group", messages, StringComparison.Ordinal);
            return;
        }
        Assert.True(exitCode == 0, $"clang failed on {kernel}'s OpenCL C for {target} ({(subGroups ? "with" : "without")} sub-groups):\n{messages}");
        Assert.DoesNotContain("error", messages, StringComparison.OrdinalIgnoreCase);
        if (undefined is not null)
        {
            var unresolved = undefined.Where(name => !DriverOnlyBuiltins.Any(b => name.Contains(b, StringComparison.Ordinal))).ToList();
            Assert.True(unresolved.Count == 0, $"{kernel} calls functions neither libclc nor a CL 2.0 driver provides: {string.Join(", ", unresolved)}");
        }
        output.WriteLine($"{kernel}: {source.Length} characters of OpenCL C compiled for {target}; unresolved driver builtins: {string.Join(", ", undefined ?? [])}");
    }

    [Fact]
    public void Only_the_persistent_backward_needs_sub_groups()
    {
        var with = GpuCapabilities(subGroups: true);
        var without = GpuCapabilities(subGroups: false);
        Assert.True(IlgpuBackend.SupportsPersistentBackward(AcceleratorType.OpenCL, with));
        Assert.False(IlgpuBackend.SupportsPersistentBackward(AcceleratorType.OpenCL, without));
        Assert.Equal(IlgpuBackend.KernelMethods.Count, IlgpuBackend.KernelMethodsFor(AcceleratorType.OpenCL, with).Count());
        var left = IlgpuBackend.KernelMethods.Except(IlgpuBackend.KernelMethodsFor(AcceleratorType.OpenCL, without))
            .Select(k => k.Method.Name).ToList();
        Assert.Equal([nameof(LstmPersistentKernels.LstmPersistent_backward)], left);
        // CUDA and ILGPU's CPU accelerator always have warps
        using var context = Context.Create(b => b.CPU().EnableAlgorithms());
        Assert.True(IlgpuBackend.SupportsPersistentBackward(AcceleratorType.Cuda, context.GetCPUDevices()[0].Capabilities));
        Assert.True(IlgpuBackend.SupportsPersistentBackward(AcceleratorType.CPU, context.GetCPUDevices()[0].Capabilities));
    }

    /// <summary>
    /// Compiles OpenCL C 2.0 with clang: to LLVM bitcode for spir64 (clang has no SPIR object emitter), to an object for
    /// amdgcn gfx90a with libclc's amdgcn builtins linked in (then lists the symbols still undefined). Without
    /// sub-groups, the cl_khr_subgroups extension is switched off, as on a device that does not report it.
    /// </summary>
    private static (int ExitCode, string Messages, List<string>? Undefined) CompileWithClang(string source, string target, bool subGroups)
    {
        string dir = Directory.CreateTempSubdirectory("rae-cl-").FullName;
        try
        {
            string cl = Path.Combine(dir, "kernel.cl"), obj = Path.Combine(dir, "kernel.o");
            File.WriteAllText(cl, source);
            var args = new List<string> { "-cl-std=CL2.0", "-Xclang", "-finclude-default-header", "-Werror=implicit-function-declaration" };
            if (!subGroups) args.AddRange(["-Xclang", "-cl-ext=-cl_khr_subgroups"]);
            if (target == Spir64)
                args.AddRange(["-target", "spir64", "-emit-llvm"]);
            else
                args.AddRange(["-target", "amdgcn-unknown-amdhsa", "-mcpu=gfx90a", "-nogpulib",
                    "-Xclang", "-mlink-builtin-bitcode", "-Xclang", LibclcAmdgcn()]);
            args.AddRange(["-c", "-o", obj, cl]);
            var (code, messages) = Run(Tool("clang"), args);
            if (code != 0 || target == Spir64) return (code, messages, null);
            var (nmCode, symbols) = Run(Tool("llvm-nm"), [obj]);
            Assert.True(nmCode == 0, $"llvm-nm failed: {symbols}");
            var entries = symbols.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
            // a real gfx90a kernel: its code and its kernel descriptor (name.kd) are defined in the object
            var defined = entries.Where(e => e[^2] != "U").Select(e => e[^1]).ToList();
            string kernelName = System.Text.RegularExpressions.Regex.Match(source, @"kernel void (\w+)\(").Groups[1].Value;
            Assert.True(kernelName.Length > 0 && defined.Contains(kernelName) && defined.Contains(kernelName + ".kd"),
                $"no kernel '{kernelName}' with a descriptor in the gfx90a object: {string.Join(", ", defined)}");
            return (code, messages, entries.Where(e => e[^2] == "U").Select(e => e[^1]).ToList());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A tool from Debian's LLVM: on the PATH, else beside the newest /usr/lib/llvm-N.</summary>
    private static string Tool(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            if (File.Exists(Path.Combine(dir, name))) return Path.Combine(dir, name);
        var llvm = Directory.Exists("/usr/lib")
            ? Directory.GetDirectories("/usr/lib", "llvm-*").Select(d => Path.Combine(d, "bin", name)).Where(File.Exists).OrderDescending().FirstOrDefault()
            : null;
        return llvm ?? throw new InvalidOperationException($"{name} is not installed: run scripts/setup.sh (it installs clang and libclc)");
    }

    /// <summary>libclc's builtins for amdgcn (Debian's libclc-N package).</summary>
    private static string LibclcAmdgcn()
    {
        foreach (var path in new[] { "/usr/lib/clc/amdgcn--amdhsa.bc", "/usr/share/clc/amdgcn--amdhsa.bc" })
            if (File.Exists(path)) return path;
        throw new InvalidOperationException("libclc's amdgcn--amdhsa.bc is not installed: run scripts/setup.sh (it installs clang and libclc)");
    }

    private static (int ExitCode, string Output) Run(string file, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(120_000))
        {
            process.Kill();
            throw new TimeoutException($"{file} ran over 2 minutes");
        }
        return (process.ExitCode, stdout.Result + stderr);
    }
}

/// <summary>
/// One ILGPU context and one <see cref="CLBackend"/> with and one without sub-groups for all the cases; each kernel's
/// source is generated once and compiled for both targets. The vendor is AMD's: ILGPU's OpenCL C differs by vendor only
/// in raw warp shuffles (Intel's), which no kernel here uses.
/// </summary>
public sealed class OpenCLSourceFixture : IDisposable
{
    private readonly Context _context = Context.Create(b => b.CPU().EnableAlgorithms());
    private readonly Dictionary<bool, CLBackend> _backends = [];
    private readonly Dictionary<(System.Reflection.MethodInfo, bool), string> _sources = [];
    private readonly object _lock = new();

    /// <summary>The OpenCL C 2.0 of one kernel for a CL 2.0 GPU with or without sub-groups.</summary>
    public string Generate(System.Reflection.MethodInfo method, bool grouped, bool subGroups)
    {
        lock (_lock)
        {
            if (_sources.TryGetValue((method, subGroups), out var cached)) return cached;
            if (!_backends.TryGetValue(subGroups, out var backend))
                _backends[subGroups] = backend =
                    new CLBackend(_context, OpenCLCompileTests.GpuCapabilities(subGroups), CLDeviceVendor.AMD, CLCVersion.CL20);
            var entry = grouped
                ? EntryPointDescription.FromExplicitlyGroupedKernel(method)
                : EntryPointDescription.FromImplicitlyGroupedKernel(method);
            return _sources[(method, subGroups)] = ((CLCompiledKernel)backend.Compile(entry, KernelSpecialization.Empty)).Source;
        }
    }

    /// <summary>Disposes the backends and the context.</summary>
    public void Dispose()
    {
        foreach (var backend in _backends.Values) backend.Dispose();
        _context.Dispose();
    }
}

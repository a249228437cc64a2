using System.Reflection;
using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using RecurrentAE.Kernels.Ilgpu;

namespace RecurrentAE.Kernels;

/// <summary>The backend a user asked for is not on this machine; the message names what is.</summary>
public sealed class BackendUnavailableException(string message) : Exception(message);

/// <summary>Creates backends by their flag names and lists what this machine has.</summary>
public static class BackendFactory
{
    /// <summary>The names <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["auto", "cuda", "opencl", "ilgpu-cpu", "cpu"];

    /// <summary>
    /// auto = CUDA if a CUDA device exists, else an OpenCL GPU, else cpu. cuda / opencl fail loudly when missing
    /// (ILGPU itself would silently fall back to its CPU device). <paramref name="threads"/> is for the cpu backend;
    /// <paramref name="device"/> picks the GPU (modulo the GPUs found): under mpirun each rank passes its local rank.
    /// </summary>
    public static IComputeBackend Create(string name, int threads = 0, int device = 0)
    {
        ArgumentNullException.ThrowIfNull(name);
        switch (name.Trim().ToLowerInvariant())
        {
            case "cpu":
                return new Cpu.CpuBackend(threads);
            case "ilgpu-cpu":
            {
                var context = Context.Create(b => b.CPU().EnableAlgorithms());
                return CreateIlgpu(context, context.GetCPUDevices()[0], "ilgpu-cpu");
            }
            case "cuda":
                return TryCreateCuda(device) ?? throw Unavailable("cuda");
            case "opencl":
                return TryCreateOpenCL(device) ?? throw Unavailable("opencl");
            case "auto":
                return TryCreateCuda(device) ?? TryCreateOpenCL(device) ?? new Cpu.CpuBackend(threads);
            default:
                throw new BackendUnavailableException(
                    $"unknown backend '{name}': use one of {string.Join(", ", Names)} (available here: {string.Join(", ", Available())})");
        }
    }

    /// <summary>The backend names usable on this machine (without creating any accelerator).</summary>
    public static IReadOnlyList<string> Available()
    {
        var names = new List<string>();
        if (CudaDevices().Count > 0) names.Add("cuda");
        if (OpenCLDevices().Count > 0) names.Add("opencl");
        names.Add("ilgpu-cpu");
        names.Add("cpu");
        return names;
    }

    /// <summary>Lines describing this machine's devices, for <c>rae devices</c>.</summary>
    public static IReadOnlyList<string> ListDevices()
    {
        var lines = new List<string>();
        var cuda = CudaDevices();
        lines.AddRange(cuda);
        if (cuda.Count == 0) lines.Add("cuda: none (no CUDA driver or device found)");
        var cl = OpenCLDevices();
        lines.AddRange(cl);
        if (cl.Count == 0) lines.Add("opencl: none usable (no OpenCL 2.0+ GPU that ILGPU supports)");
        lines.Add($"cpu: SIMD C# backend, {Environment.ProcessorCount} core(s)");
        lines.Add("ilgpu-cpu: ILGPU's CPU accelerator (for testing kernels; very slow)");
        return lines;
    }

    private static BackendUnavailableException Unavailable(string name) =>
        new($"backend '{name}' is not available on this machine; available: {string.Join(", ", Available())}");

    private static IComputeBackend CreateIlgpu(Context context, Device device, string name)
    {
        try
        {
            return new IlgpuBackend(context, device, name, ownsContext: true);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    private static IComputeBackend? TryCreateCuda(int device)
    {
        EnsureNativeResolver();
        Context? context = null;
        try
        {
            context = Context.Create(b => b.Cuda().EnableAlgorithms());
            var devices = context.GetCudaDevices();
            if (devices.Count == 0) { context.Dispose(); return null; }
            var backend = new IlgpuBackend(context, devices[Math.Abs(device) % devices.Count], "cuda", ownsContext: true);
            context = null;
            return backend;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            context?.Dispose();
            return null;
        }
    }

    private static IComputeBackend? TryCreateOpenCL(int device)
    {
        EnsureNativeResolver();
        Context? context = null;
        try
        {
            // Only GPUs: a CPU OpenCL (PoCL) is refused by ILGPU or would be slower than the cpu backend.
            context = Context.Create(b => b.OpenCL(d => d.DeviceType == CLDeviceType.CL_DEVICE_TYPE_GPU).EnableAlgorithms());
            var ctx = context;
            var devices = new List<Device>();
            foreach (var d in ctx.GetCLDevices()) devices.Add(d);
            // the usable devices tried in turn, starting at the one asked for
            int first = devices.Count == 0 ? 0 : Math.Abs(device) % devices.Count;
            foreach (var candidate in devices.Skip(first).Concat(devices.Take(first)))
            {
                try
                {
                    var backend = new IlgpuBackend(ctx, candidate, "opencl", ownsContext: true);
                    context = null;
                    return backend;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // this device is refused by ILGPU (e.g. no generic address space): try the next one
                }
            }
            ctx.Dispose();
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            context?.Dispose();
            return null;
        }
    }

    private static IReadOnlyList<string> CudaDevices() => DeviceLines(
        () => Context.Create(b => b.Cuda().EnableAlgorithms()),
        context => Describe(context.GetCudaDevices(), d =>
            $"cuda: {d.Name}, {d.MemorySize / (1024.0 * 1024 * 1024):0.#} GiB, {d.NumMultiprocessors} SMs, compute {d.Architecture}"));

    private static IReadOnlyList<string> OpenCLDevices() => DeviceLines(
        () => Context.Create(b => b.OpenCL(d => d.DeviceType == CLDeviceType.CL_DEVICE_TYPE_GPU).EnableAlgorithms()),
        context => Describe(context.GetCLDevices(), d =>
            $"opencl: {d.Name} ({d.VendorName}, {d.DeviceType}), {d.MemorySize / (1024.0 * 1024 * 1024):0.#} GiB"));

    /// <summary>A line per device of the context <paramref name="create"/> makes; none where its driver is missing or fails.</summary>
    private static IReadOnlyList<string> DeviceLines(Func<Context> create, Func<Context, IEnumerable<string>> describe)
    {
        EnsureNativeResolver();
        try
        {
            using var context = create();
            return describe(context).ToList();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return [];
        }
    }

    private static IEnumerable<string> Describe<TDevice>(Context.DeviceCollection<TDevice> devices, Func<TDevice, string> line)
        where TDevice : Device
    {
        var lines = new List<string>();
        foreach (var d in devices) lines.Add(line(d));
        return lines;
    }

    private static int _resolverInstalled;

    /// <summary>ILGPU imports "cuda" and "OpenCL", which .NET probes as libcuda.so / libOpenCL.so (present only with the
    /// -dev packages); fall back to the runtime's versioned names.</summary>
    private static void EnsureNativeResolver()
    {
        if (Interlocked.Exchange(ref _resolverInstalled, 1) != 0) return;
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(Context).Assembly, Resolve);
        }
        catch (InvalidOperationException)
        {
            // someone else installed a resolver for ILGPU already
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        string? fallback = libraryName switch
        {
            "cuda" or "nvcuda" or "libcuda" => OperatingSystem.IsLinux() ? "libcuda.so.1" : null,
            "OpenCL" or "opencl" or "libOpenCL" => OperatingSystem.IsLinux() ? "libOpenCL.so.1" : null,
            _ => null,
        };
        if (fallback is null) return IntPtr.Zero;
        if (NativeLibrary.TryLoad(libraryName, assembly, searchPath, out var handle)) return handle;
        return NativeLibrary.TryLoad(fallback, out handle) ? handle : IntPtr.Zero;
    }
}

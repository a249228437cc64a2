using System.Linq.Expressions;
using System.Reflection;
using ILGPU;
using ILGPU.Runtime;

namespace RecurrentAE.Kernels.Ilgpu;

/// <summary>Declares an ILGPU kernel: a static method whose parameters are the kernel's. An auto-grouped kernel takes its
/// extent (an Index1D) first; an explicitly grouped one gets its grid, group and shared memory from a
/// <see cref="KernelConfig"/> at launch (<see cref="KernelLauncher.Grouped{TKernel}"/>).</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class IlgpuKernelAttribute : Attribute
{
    /// <summary>Launched with a <see cref="KernelConfig"/> (group barriers, shared memory) instead of an extent.</summary>
    public bool ExplicitlyGrouped { get; init; }
}

/// <summary>
/// The one way kernels are loaded and launched: every kernel of an accelerator is loaded (compiled) up front, and a launch
/// names the kernel method, whose own signature the launcher has (an explicitly grouped one after its config). So each
/// kernel's parameters are written once, in its method: no delegate field, no list of type arguments at a load call.
/// Launches go to the accelerator's default stream, in issue order; not thread-safe, like the backend.
/// </summary>
internal sealed class KernelLauncher
{
    /// <summary>Every method marked <see cref="IlgpuKernelAttribute"/> in this assembly and whether it is explicitly
    /// grouped, by class and name (the PTX and OpenCL compile tests cover this list).</summary>
    public static IReadOnlyList<(MethodInfo Method, bool ExplicitlyGrouped)> Declared { get; } =
        typeof(KernelLauncher).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<IlgpuKernelAttribute>()))
            .Where(k => k.Attribute is not null)
            .OrderBy(k => k.Method.DeclaringType!.Name, StringComparer.Ordinal).ThenBy(k => k.Method.Name, StringComparer.Ordinal)
            .Select(k => (k.Method, k.Attribute!.ExplicitlyGrouped))
            .ToList();

    private readonly AcceleratorStream _stream;
    private readonly Dictionary<MethodInfo, (Kernel Kernel, bool Grouped)> _loaded = [];
    private readonly Dictionary<MethodInfo, Delegate> _launchers = [];
    private readonly ConfigSlot _config = new();

    /// <summary>Loads <paramref name="kernels"/> (some of <see cref="Declared"/>) on <paramref name="accelerator"/>.</summary>
    public KernelLauncher(Accelerator accelerator, IEnumerable<(MethodInfo Method, bool ExplicitlyGrouped)> kernels)
    {
        _stream = accelerator.DefaultStream;
        foreach (var (method, grouped) in kernels)
            _loaded[method] = (grouped ? accelerator.LoadKernel(method) : accelerator.LoadAutoGroupedKernel(method), grouped);
    }

    /// <summary>Whether <paramref name="kernel"/> was loaded here.</summary>
    public bool IsLoaded(Delegate kernel) => _loaded.ContainsKey(kernel.Method);

    /// <summary>The launcher of an auto-grouped kernel: call it with the kernel's own arguments, the extent first.</summary>
    public TKernel Auto<TKernel>(TKernel kernel) where TKernel : Delegate => Launcher(kernel, grouped: false);

    /// <summary>The launcher of an explicitly grouped kernel that launches with <paramref name="config"/>: call it with the
    /// kernel's own arguments at once (the config is the latest one asked for).</summary>
    public TKernel Grouped<TKernel>(TKernel kernel, KernelConfig config) where TKernel : Delegate
    {
        _config.Value = config;
        return Launcher(kernel, grouped: true);
    }

    private TKernel Launcher<TKernel>(TKernel kernel, bool grouped) where TKernel : Delegate
    {
        var method = kernel.Method;
        if (_launchers.TryGetValue(method, out var launcher)) return (TKernel)launcher;
        if (!_loaded.TryGetValue(method, out var loaded))
            throw new InvalidOperationException($"the kernel {method.DeclaringType?.Name}.{method.Name} is not loaded on this accelerator");
        if (loaded.Grouped != grouped)
            throw new InvalidOperationException($"the kernel {method.DeclaringType?.Name}.{method.Name} is {(loaded.Grouped ? "" : "not ")}explicitly grouped");
        var typed = Bind<TKernel>(loaded.Kernel, method, grouped);
        _launchers[method] = typed;
        return typed;
    }

    /// <summary>A delegate of the kernel method's own type that calls ILGPU's launcher of the kernel (stream, [config,]
    /// arguments) on the default stream with the current config; compiled once a kernel.</summary>
    private TKernel Bind<TKernel>(Kernel kernel, MethodInfo method, bool grouped) where TKernel : Delegate
    {
        var parameters = method.GetParameters().Select(p => Expression.Parameter(p.ParameterType, p.Name)).ToArray();
        Type[] head = grouped ? [typeof(AcceleratorStream), typeof(KernelConfig)] : [typeof(AcceleratorStream)];
        var launcherType = Expression.GetActionType([.. head, .. parameters.Select(p => p.Type)]);
        var create = typeof(Kernel).GetMethod(nameof(Kernel.CreateLauncherDelegate))!.MakeGenericMethod(launcherType);
        var launcher = (Delegate)create.Invoke(kernel, null)!;
        Expression[] arguments = grouped
            ? [Expression.Constant(_stream), Expression.Field(Expression.Constant(_config), nameof(ConfigSlot.Value)), .. parameters]
            : [Expression.Constant(_stream), .. parameters];
        return Expression.Lambda<TKernel>(Expression.Invoke(Expression.Constant(launcher, launcherType), arguments), parameters).Compile();
    }

    /// <summary>The config of the explicitly grouped launch being made.</summary>
    private sealed class ConfigSlot
    {
        public KernelConfig Value;
    }
}

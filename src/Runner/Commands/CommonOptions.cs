using System.CommandLine;

namespace RecurrentAE.Runner.Commands;

/// <summary>Options several commands share, and loading a trained model. Each command builds its own instances.</summary>
internal static class CommonOptions
{
    public static readonly string[] Accelerators = ["auto", "cuda", "opencl", "ilgpu-cpu", "cpu"];

    public static Option<string> Accelerator()
    {
        var o = new Option<string>("--accelerator", "-a")
        {
            Description = "Compute backend: auto (a GPU if there is one, else the SIMD CPU backend), cuda, opencl, ilgpu-cpu or cpu",
            DefaultValueFactory = _ => "auto",
        };
        o.AcceptOnlyFromAmong(Accelerators);
        return o;
    }

    public static Option<int> Threads()
    {
        var o = new Option<int>("--threads") { Description = "CPU threads for the cpu backend (0 = all cores)", DefaultValueFactory = _ => 0 };
        o.Validators.Add(r => { if (TryValue<int>(r, out var v) && v < 0) r.AddError("--threads must be 0 (all cores) or more"); });
        return o;
    }

    public static Option<string?> Data() => new("--data")
    {
        Description = "Directory with the Fashion-MNIST IDX files (default: $RAE_DATA, ~/.keras/datasets/fashion-mnist, /usr/share/datasets/fashion-mnist)",
    };

    public static Option<string> Model() => new("--model", "-m")
    {
        Description = "Run directory (or model.safetensors file) written by 'rae train'",
        Required = true,
    };

    public static Option<int> PositiveInt(string name, int defaultValue, string description)
    {
        var o = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        o.Validators.Add(r => { if (TryValue<int>(r, out var v) && v < 1) r.AddError($"{name} must be at least 1"); });
        return o;
    }

    /// <summary>The option's value for a validator; default when it did not convert (that error is reported already).</summary>
    public static bool TryValue<T>(System.CommandLine.Parsing.OptionResult r, out T value)
    {
        try { value = r.GetValueOrDefault<T>(); return true; }
        catch (InvalidOperationException) { value = default!; return false; }
    }

    /// <summary>The backend of this process; under mpirun rank r of a machine takes GPU r modulo the GPUs there.</summary>
    public static IComputeBackend CreateBackend(string accelerator, int threads) =>
        BackendFactory.Create(accelerator, threads, RecurrentAE.Model.Distributed.MpiLaunch.LocalRank);

    /// <summary>Loads a checkpoint onto a new backend: the caller disposes both.</summary>
    public static (IComputeBackend Backend, RecurrentAutoencoder Model, Checkpoint Checkpoint) LoadModel(
        string modelPath, string accelerator, int threads, int maxBatch = 256)
    {
        var checkpoint = Checkpoint.Load(modelPath);
        var backend = CreateBackend(accelerator, threads);
        try
        {
            return (backend, checkpoint.CreateModel(backend, maxBatch), checkpoint);
        }
        catch
        {
            backend.Dispose();
            throw;
        }
    }

    /// <summary>The directory of a --model argument (a run directory, or the folder of a checkpoint file).</summary>
    public static string ModelDirectory(string modelPath) =>
        Directory.Exists(modelPath) ? modelPath : Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
}

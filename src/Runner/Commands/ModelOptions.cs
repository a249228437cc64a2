using System.CommandLine;

namespace RecurrentAE.Runner.Commands;

/// <summary>The options of a command that runs a trained model: --model DIR, --out FILE (default: a file in the model's
/// directory), --accelerator and --threads. Each command builds its own instance.</summary>
internal sealed class ModelOptions(string outputDescription)
{
    public Option<string> Model { get; } = CommonOptions.Model();
    public Option<string?> Output { get; } = new("--out", "-o") { Description = outputDescription };
    public Option<string> Accelerator { get; } = CommonOptions.Accelerator();
    public Option<int> Threads { get; } = CommonOptions.Threads();

    /// <summary>Adds the four options, in this order, to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Model);
        command.Options.Add(Output);
        command.Options.Add(Accelerator);
        command.Options.Add(Threads);
    }

    /// <summary>The --model argument.</summary>
    public string ModelPath(ParseResult parse) => parse.GetValue(Model)!;

    /// <summary>The --out argument, or <paramref name="defaultName"/> in the model's directory.</summary>
    public string OutputPath(ParseResult parse, string defaultName) =>
        parse.GetValue(Output) ?? Path.Combine(CommonOptions.ModelDirectory(ModelPath(parse)), defaultName);

    /// <summary>Runs <paramref name="use"/> on <paramref name="checkpoint"/>'s model on the backend of --accelerator and
    /// --threads, then disposes both.</summary>
    public T Run<T>(ParseResult parse, Checkpoint checkpoint, Func<RecurrentAutoencoder, T> use)
    {
        using var backend = CommonOptions.CreateBackend(parse.GetValue(Accelerator)!, parse.GetValue(Threads));
        using var model = checkpoint.CreateModel(backend);
        return use(model);
    }
}

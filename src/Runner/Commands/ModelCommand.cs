using System.CommandLine;
using RecurrentAE.Runner.DataSources;

namespace RecurrentAE.Runner.Commands;

/// <summary>A command that runs a trained model, and what its action shares with the others: its options --model DIR, the
/// command's own, --out FILE (default: a file in the model's directory), --accelerator, --threads and, for a command that
/// reads data, the data sources (default: the data the model was trained on), in that order; loading the checkpoint and
/// the data; running the model on the backend named. Each command builds its own.</summary>
internal sealed class ModelCommand
{
    /// <summary>The command <paramref name="name"/> with the options above; <paramref name="own"/> go between --model and --out.</summary>
    public ModelCommand(string name, string description, string outputDescription, bool readsData, params Option[] own)
    {
        Output = new("--out", "-o") { Description = outputDescription };
        Command = new Command(name, description);
        foreach (var option in (Option[])[Model, .. own, Output, Accelerator, Threads]) Command.Options.Add(option);
        if (!readsData) return;
        Data = new DataOptions();
        Data.AddTo(Command);
    }

    /// <summary>The command, its options added; its action is the caller's.</summary>
    public Command Command { get; }

    /// <summary>--model DIR.</summary>
    public Option<string> Model { get; } = CommonOptions.Model();

    /// <summary>--out FILE.</summary>
    public Option<string?> Output { get; }

    /// <summary>--accelerator.</summary>
    public Option<string> Accelerator { get; } = CommonOptions.Accelerator();

    /// <summary>--threads.</summary>
    public Option<int> Threads { get; } = CommonOptions.Threads();

    /// <summary>The data-source options; null for a command that reads no data.</summary>
    public DataOptions? Data { get; }

    /// <summary>The --model argument.</summary>
    public string ModelPath(ParseResult parse) => parse.GetValue(Model)!;

    /// <summary>The --out argument, or <paramref name="defaultName"/> in the model's directory.</summary>
    public string OutputPath(ParseResult parse, string defaultName) =>
        parse.GetValue(Output) ?? Path.Combine(CommonOptions.ModelDirectory(ModelPath(parse)), defaultName);

    /// <summary>The checkpoint of --model.</summary>
    public Checkpoint LoadCheckpoint(ParseResult parse) => Checkpoint.Load(ModelPath(parse));

    /// <summary>The sequences the data options name, or the model's default data (<see cref="ModelData.Load"/>).</summary>
    public (SequenceDataset Sequences, string Description) LoadData(ParseResult parse, Checkpoint checkpoint) =>
        ModelData.Load(DataOptions().Resolve(parse), checkpoint, Command.Name);

    /// <summary>The data options checked, then the checkpoint and the data loaded: the source named (null: none), the
    /// checkpoint, and the sequences of the source or of the model's default data.</summary>
    public (DataSource? Named, Checkpoint Checkpoint, SequenceDataset Sequences, string Description) LoadWithData(ParseResult parse)
    {
        var named = DataOptions().Resolve(parse);
        var checkpoint = LoadCheckpoint(parse);
        var (sequences, description) = ModelData.Load(named, checkpoint, Command.Name);
        return (named, checkpoint, sequences, description);
    }

    /// <summary>Runs <paramref name="use"/> on <paramref name="checkpoint"/>'s model on the backend of --accelerator and
    /// --threads, then disposes both.</summary>
    public T Run<T>(ParseResult parse, Checkpoint checkpoint, Func<RecurrentAutoencoder, T> use)
    {
        using var backend = CommonOptions.CreateBackend(parse.GetValue(Accelerator)!, parse.GetValue(Threads));
        using var model = checkpoint.CreateModel(backend);
        return use(model);
    }

    private DataOptions DataOptions() => Data ?? throw new InvalidOperationException($"'{Command.Name}' was built without the data options");
}

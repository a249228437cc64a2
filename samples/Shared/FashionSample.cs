// The start the Fashion-MNIST samples share: load the images, pick a backend, and either load a checkpoint or train a
// fresh model for one short epoch. Linked into each sample project (<Compile Include="../Shared/FashionSample.cs" />).
using RecurrentAE.Kernels;
using RecurrentAE.Model;
using RecurrentAE.Model.Checkpoints;
using RecurrentAE.Model.Data;
using RecurrentAE.Model.Training;

static class FashionSample
{
    /// <summary>The training and validation images, or null (after printing how to install them) when they are missing.</summary>
    public static FashionMnistData? LoadData()
    {
        try
        {
            return FashionMnist.Load(includeTest: false);
        }
        catch (DatasetNotFoundException e)
        {
            Console.Error.WriteLine(e.Message);
            return null;
        }
    }

    /// <summary>The fastest backend on this machine, named on the console.</summary>
    public static IComputeBackend CreateBackend()
    {
        var backend = BackendFactory.Create("auto", threads: 0);
        Console.WriteLine($"Backend: {backend.Description}");
        return backend;
    }

    /// <summary>The model of a checkpoint directory, named on the console with its trained epochs.</summary>
    public static RecurrentAutoencoder Load(Checkpoint checkpoint, IComputeBackend backend)
    {
        var model = checkpoint.CreateModel(backend);
        Console.WriteLine($"Loaded {checkpoint.Path} ({checkpoint.History.Count} epochs trained)");
        return model;
    }

    /// <summary>A fresh model of <paramref name="spec"/> trained for one short epoch (300 steps), each epoch printed by <paramref name="describe"/>.</summary>
    public static RecurrentAutoencoder Train(IComputeBackend backend, AutoencoderSpec spec, FashionMnistData data, Func<EpochResult, string> describe)
    {
        var model = new RecurrentAutoencoder(backend, spec, seed: 42);
        using var train = model.Upload(data.Train);
        using var valid = model.Upload(data.Validation);
        var trainer = new Trainer(model, train, valid, new TrainingOptions(Epochs: 1, MaxStepsPerEpoch: 300))
        {
            EpochCompleted = r => Console.WriteLine(describe(r)),
        };
        trainer.Run(CancellationToken.None);
        return model;
    }
}

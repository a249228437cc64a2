// Fashion-MNIST reconstructions with the RecurrentAE library, used the way a user would:
//   dotnet run --project samples/FashionReconstructions                    -> trains 1 short epoch, writes reconstructions.png
//   dotnet run --project samples/FashionReconstructions -- runs/RUN_DIR    -> loads that checkpoint instead
//   optional second argument: the output PNG (default reconstructions.png)
using RecurrentAE.Kernels;
using RecurrentAE.Model;
using RecurrentAE.Model.Checkpoints;
using RecurrentAE.Model.Data;
using RecurrentAE.Model.Training;
using RecurrentAE.Rendering;

string? checkpointPath = args.Length > 0 ? args[0] : null;
string outPath = args.Length > 1 ? args[1] : "reconstructions.png";

FashionMnistData data;
try
{
    data = FashionMnist.Load(includeTest: false);
}
catch (DatasetNotFoundException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

using IComputeBackend backend = BackendFactory.Create("auto", threads: 0);
Console.WriteLine($"Backend: {backend.Description}");

RecurrentAutoencoder model;
if (checkpointPath is not null)
{
    var checkpoint = Checkpoint.Load(checkpointPath);
    model = checkpoint.CreateModel(backend);
    Console.WriteLine($"Loaded {checkpoint.Path} ({checkpoint.History.Count} epochs trained)");
}
else
{
    model = new RecurrentAutoencoder(backend, AutoencoderSpec.Reference, seed: 42);
    using var train = model.Upload(data.Train);
    using var valid = model.Upload(data.Validation);
    var trainer = new Trainer(model, train, valid, new TrainingOptions(Epochs: 1, MaxStepsPerEpoch: 300))
    {
        EpochCompleted = r => Console.WriteLine($"epoch {r.Epoch}: loss {r.Loss:F4}, val_loss {r.ValLoss:F4} ({r.MsPerStep:F1} ms/step)"),
    };
    trainer.Run(CancellationToken.None);
}

using (model)
{
    ReconstructionImage.Write(model, data.Validation, count: 8, outPath);
}
Console.WriteLine($"Wrote {Path.GetFullPath(outPath)}");
return 0;

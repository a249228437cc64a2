// Fashion-MNIST reconstructions with the RecurrentAE library, used the way a user would:
//   dotnet run --project samples/FashionReconstructions                    -> trains 1 short epoch, writes reconstructions.png
//   dotnet run --project samples/FashionReconstructions -- runs/RUN_DIR    -> loads that checkpoint instead
//   optional second argument: the output PNG (default reconstructions.png)
using RecurrentAE.Kernels;
using RecurrentAE.Model;
using RecurrentAE.Model.Checkpoints;
using RecurrentAE.Rendering;

string outPath = args.Length > 1 ? args[1] : "reconstructions.png";

if (FashionSample.LoadData() is not { } data)
    return 2;

using IComputeBackend backend = FashionSample.CreateBackend();

RecurrentAutoencoder model = args.Length > 0
    ? FashionSample.Load(Checkpoint.Load(args[0]), backend)
    : FashionSample.Train(backend, AutoencoderSpec.Reference, data,
        r => $"epoch {r.Epoch}: loss {r.Loss:F4}, val_loss {r.ValLoss:F4} ({r.MsPerStep:F1} ms/step)");

using (model)
{
    ReconstructionImage.Write(model, data.Validation, count: 8, outPath);
}
Console.WriteLine($"Wrote {Path.GetFullPath(outPath)}");
return 0;

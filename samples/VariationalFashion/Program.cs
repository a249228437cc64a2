// A variational autoencoder of Fashion-MNIST with the RecurrentAE library, used the way a user would:
//   dotnet run --project samples/VariationalFashion                 -> trains a variational model for 1 short epoch,
//                                                                       writes vae-samples.png and vae-interpolation.png
//   dotnet run --project samples/VariationalFashion -- runs/RUN_DIR  -> loads that variational checkpoint instead
//   optional second argument: the output directory (default: the current directory)
// The coding is a Gaussian: training samples it (mean + exp(logvar / 2) * eps) and adds the KL divergence to N(0, I);
// new garments are decoded from codings drawn from N(0, I), and an interpolation decodes the line between two
// validation images' mean codings.
using RecurrentAE.Kernels;
using RecurrentAE.Model;
using RecurrentAE.Model.Checkpoints;
using RecurrentAE.Model.Generation;
using RecurrentAE.Rendering;

string? checkpointPath = args.Length > 0 ? args[0] : null;
string outDir = args.Length > 1 ? args[1] : ".";

if (FashionSample.LoadData() is not { } data)
    return 2;

using IComputeBackend backend = FashionSample.CreateBackend();

RecurrentAutoencoder model;
if (checkpointPath is not null)
{
    var checkpoint = Checkpoint.Load(checkpointPath);
    if (checkpoint.Spec.Coding != CodingKind.Variational)
    {
        Console.Error.WriteLine($"{checkpoint.Path} is not a variational model: train one with 'rae train --variational'");
        return 2;
    }
    model = FashionSample.Load(checkpoint, backend);
}
else
{
    model = FashionSample.Train(backend, AutoencoderSpec.Reference with { Coding = CodingKind.Variational }, data, r =>
        $"epoch {r.Epoch}: loss {r.Loss:F4}, val_reconstruction {r.ValReconstruction:F4}, val_kl {r.ValKl:F4} per value ({r.MsPerStep:F1} ms/step)");
}

using (model)
{
    int size = model.Spec.CodingSize, steps = data.Validation.Steps, features = data.Validation.Features;

    // 32 garments decoded from codings drawn from the prior N(0, I)
    const int count = 32;
    var samples = model.Decode(LatentCodes.Normal(count, size, seed: 0), count, steps);
    string samplesPath = Path.Combine(outDir, "vae-samples.png");
    ImageGrid.Write(samples, count, steps, features, perRow: 8, samplesPath, [.. Enumerable.Range(0, count).Select(i => $"sample {i}")]);
    Console.WriteLine($"Wrote {Path.GetFullPath(samplesPath)}");

    // the line between the mean codings of validation images 0 and 1, in 8 steps
    var ends = model.Encode(data.Validation.Values.AsSpan(0, 2 * steps * features), 2, steps);
    const int k = 8;
    var line = model.Decode(LatentCodes.Line(ends.AsSpan(0, size), ends.AsSpan(size, size), k), k, steps);
    string linePath = Path.Combine(outDir, "vae-interpolation.png");
    ImageGrid.Write(line, k, steps, features, perRow: k, linePath, [.. Enumerable.Range(0, k).Select(i => $"{i / (double)(k - 1):0.##}")]);
    Console.WriteLine($"Wrote {Path.GetFullPath(linePath)}");
}
return 0;

namespace RecurrentAE.Tests.Contract;

/// <summary>DenseGradient: kernel += x^T dy and bias += sum dy over a time-major batch, against float64 sums, with any
/// leaf size of the summation tree (the CPU backend's order; other backends may ignore it), accumulating onto what the
/// gradients held, and the bias left alone when not given.</summary>
public sealed partial class BackendContractTests
{
    [Theory]
    [MemberData(nameof(Backends))]
    public void DenseGradient_AccumulatesKernelAndBiasGradients(string backend)
    {
        var (be, rng) = Start(backend);
        foreach (var (steps, batch, inputs, outputs, leafRows, bias) in new[]
        {
            (5, 13, 19, 37, 0, true), (1, 9, 8, 16, 1, true), (3, 17, 100, 28, 3, false), (2, 1, 5, 3, 0, true), (4, 24, 9, 70, 2, true),
        })
        {
            int rows = steps * batch;
            var x = RandomArray(rng, rows * inputs);
            var dy = RandomArray(rng, rows * outputs);
            var kernel = RandomArray(rng, inputs * outputs);
            var biasInit = RandomArray(rng, outputs);
            using var buf = PoisonedSlices(be, [rows * inputs, rows * outputs, inputs * outputs, outputs], out var s);
            be.Upload(x, s[0]);
            be.Upload(dy, s[1]);
            be.Upload(kernel, s[2]);
            be.Upload(biasInit, s[3]);
            be.DenseGradient(new DenseGradientArgs
            {
                Input = s[0], Inputs = inputs, OutputGradient = s[1], Outputs = outputs, Steps = steps, Batch = batch,
                LeafRows = leafRows, KernelGradient = s[2], BiasGradient = bias ? s[3] : default,
            });
            var wantKernel = new double[inputs * outputs];
            var wantBias = new double[outputs];
            for (int i = 0; i < inputs; i++)
                for (int j = 0; j < outputs; j++)
                {
                    double sum = kernel[i * outputs + j];
                    for (int r = 0; r < rows; r++) sum += (double)x[r * inputs + i] * dy[r * outputs + j];
                    wantKernel[i * outputs + j] = sum;
                }
            for (int j = 0; j < outputs; j++)
            {
                double sum = biasInit[j];
                if (bias) for (int r = 0; r < rows; r++) sum += dy[r * outputs + j];
                wantBias[j] = sum;
            }
            string shape = $"DenseGradient T={steps} B={batch} {inputs}x{outputs} leaf={leafRows}";
            Check(shape + " kernel", backend, wantKernel, Read(be, s[2]));
            Check(shape + " bias", backend, wantBias, Read(be, s[3]));
            Assert.True(bias || Read(be, s[3]).SequenceEqual(biasInit), $"{shape}: the bias gradient changed though none was given");
        }
    }
}

namespace RecurrentAE.Tests.Model;

internal static class ModelTestData
{
    /// <summary>Four sequences of six steps for <paramref name="spec"/>'s head (<see cref="ForHead"/>), of lengths 6, 2, 5
    /// and 1 when <paramref name="ragged"/>.</summary>
    public static SequenceDataset FourSequences(Random random, AutoencoderSpec spec, bool ragged)
    {
        const int count = 4, steps = 6;
        int[]? lengths = ragged ? [6, 2, 5, 1] : null;
        return new SequenceDataset(ForHead(random, spec.Head, count, steps, spec.Features, lengths), count, steps, spec.Features, lengths: lengths);
    }

    /// <summary>Sets the model's weights to its initial ones nudged by up to +-0.1 (from <paramref name="random"/>) and
    /// returns its loss and gradient on <paramref name="data"/> beside the float64 reference's at the same weights: the
    /// gradient tests' common start.</summary>
    public static (float[] Weights, float Loss, float[] Gradient, double RefLoss, double[] RefGradient) GradientsBesideReference(
        RecurrentAutoencoder model, Random random, SequenceDataset data)
    {
        var w = model.GetParameters().Select(v => v + (float)((random.NextDouble() - 0.5) * 0.2)).ToArray();
        model.SetParameters(w);
        float loss = model.ComputeGradients(data);
        var gradient = model.GetGradients();
        var reference = new ReferenceAutoencoder(model.Spec, model.Parameters);
        var refGrad = new double[model.ParameterCount];
        double refLoss = reference.LossAndGradient(w.Select(v => (double)v).ToArray(), data.Values, data.Count, data.Steps, refGrad, data.Lengths);
        return (w, loss, gradient, refLoss, refGrad);
    }

    /// <summary>A small model with two encoder and two decoder layers, so every stacking path is exercised.</summary>
    public static AutoencoderSpec SmallSpec { get; } = new(3, [5, 2], [4, 3]);

    /// <summary>Uniform [0, 1) values, batch-major.</summary>
    public static float[] RandomSequences(Random random, int count, int steps, int features)
    {
        var v = new float[count * steps * features];
        for (int i = 0; i < v.Length; i++) v[i] = (float)random.NextDouble();
        return v;
    }

    public static int FreshSeed() => Random.Shared.Next();

    /// <summary>A fresh seed (for the failure message) and the random numbers it seeds: a test's start.</summary>
    public static (int Seed, Random Random) FreshRandom()
    {
        int seed = FreshSeed();
        return (seed, new Random(seed));
    }

    /// <summary>Random data fitting the head: uniform [0, 1) (sigmoid), [-2, 2) (linear), one-hot symbols (softmax);
    /// zeros past each length when lengths are given.</summary>
    public static float[] ForHead(Random random, OutputHead head, int count, int steps, int features, int[]? lengths = null)
    {
        var values = RandomSequences(random, count, steps, features);
        if (head == OutputHead.Linear) for (int i = 0; i < values.Length; i++) values[i] = values[i] * 4 - 2;
        if (head == OutputHead.Softmax)
            for (int r = 0; r < count * steps; r++)
            {
                int symbol = random.Next(features);
                for (int j = 0; j < features; j++) values[r * features + j] = j == symbol ? 1f : 0f;
            }
        if (lengths != null) ZeroPadding(values, steps, features, lengths);
        return values;
    }

    /// <summary>Zeros every step past each sequence's length (padding is zeros, as SequenceDataset.FromRagged makes it).</summary>
    public static void ZeroPadding(float[] values, int steps, int features, int[] lengths)
    {
        for (int n = 0; n < lengths.Length; n++)
            values.AsSpan((n * steps + lengths[n]) * features, (steps - lengths[n]) * features).Fill(0f);
    }

    /// <summary>
    /// Asserts every entry of <paramref name="actual"/> is within <paramref name="tolerance"/> of <paramref name="expected"/>,
    /// relative to the largest |<paramref name="scaleSource"/>| entry of its tensor; returns the worst such error.
    /// </summary>
    public static double AssertGradientsMatch(IReadOnlyList<ParameterInfo> parameters, float[] actual, IReadOnlyList<double> expected,
        IReadOnlyList<double> scaleSource, double tolerance, string label)
    {
        double worst = 0;
        foreach (var p in parameters)
        {
            double scale = Math.Max(1e-12, Enumerable.Range(p.Offset, p.Length).Max(i => Math.Abs(scaleSource[i])));
            for (int i = p.Offset; i < p.Offset + p.Length; i++)
            {
                double err = Math.Abs(actual[i] - expected[i]) / scale;
                worst = Math.Max(worst, err);
                Assert.True(err < tolerance, $"{label}: {p.Name}[{i - p.Offset}] = {actual[i]}, expected {expected[i]} (tensor scale {scale})");
            }
        }
        return worst;
    }

    /// <summary>
    /// Asserts every gradient of <paramref name="reference"/>'s loss at <paramref name="w"/> matches central finite
    /// differences (h = 1e-6): a relative error below 1e-5, or an absolute one below <paramref name="absoluteFloor"/>.
    /// Returns the backpropagated gradient and the largest relative error.
    /// </summary>
    public static (double[] Gradient, double Worst) AssertFiniteDifferences(ReferenceAutoencoder reference, double[] w,
        float[] batch, int count, int steps, double absoluteFloor, string label)
    {
        var grad = new double[w.Length];
        reference.LossAndGradient(w, batch, count, steps, grad);
        double worst = 0;
        const double h = 1e-6;
        for (int i = 0; i < w.Length; i++)
        {
            double keep = w[i];
            w[i] = keep + h; double up = reference.Loss(w, batch, count, steps);
            w[i] = keep - h; double down = reference.Loss(w, batch, count, steps);
            w[i] = keep;
            double fd = (up - down) / (2 * h);
            double err = Math.Abs(fd - grad[i]) / Math.Max(1e-6, Math.Abs(fd) + Math.Abs(grad[i]));
            worst = Math.Max(worst, err);
            Assert.True(err < 1e-5 || Math.Abs(fd - grad[i]) < absoluteFloor, $"{label}: parameter {i}: finite difference {fd}, backprop {grad[i]}");
        }
        return (grad, worst);
    }
}

using Xunit;
using RecurrentAE.Kernels;

namespace RecurrentAE.Tests.Contract;

/// <summary>The ops of the denoising, sparse and variational autoencoders (issue 15) against float64 on fresh random
/// inputs, inside NaN-poisoned buffers: the input corruption, the reparameterisation and the KL term (forward and backward),
/// and the sparsity penalties (forward and the fused backward through the sigmoid). The float64 references draw the same
/// counter-based uniforms (integers, exact) and do the rest in double.</summary>
public sealed partial class BackendContractTests
{
    private static readonly int[] CodingSizes = [1, 37, 1031];

    /// <summary>Box-Muller in float64 from the same 24-bit uniforms as <see cref="CounterRandom.Gaussian"/>.</summary>
    private static double GaussianF64(CounterKey key, int i)
    {
        var (u1, u2) = CounterRandom.UniformPair(key, i);
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static CounterKey Key(Random rng) => new((ulong)rng.NextInt64());

    [Theory]
    [MemberData(nameof(Backends))]
    public void CorruptInputs_MatchesFloat64(string backend)
    {
        var (be, rng) = Start(backend);
        foreach (int n in CodingSizes)
            foreach (var (std, p) in new[] { (0.3f, 0f), (0f, 0.25f), (0.2f, 0.5f) })
            {
                var x = RandomArray(rng, n);
                CounterKey noise = Key(rng), drop = Key(rng);
                using var buf = PoisonedSlices(be, [n, n], out var s);
                be.Upload(x, s[0]);
                be.CorruptInputs(s[0], n, std, p, noise, drop, s[1]);
                var expected = new double[n];
                // the value and the noise may cancel, and Box-Muller's r cos(theta) is only as exact as r (theta is rounded
                // in float32 too): the rounding scales with |value| + std r
                var magnitude = new double[n];
                for (int i = 0; i < n; i++)
                {
                    double v = p > 0 ? (CounterRandom.Uniform(drop, i) < p ? 0 : x[i] / (1.0 - p)) : x[i];
                    expected[i] = v + std * GaussianF64(noise, i);
                    magnitude[i] = Math.Abs(v) + std * Math.Sqrt(-2 * Math.Log(CounterRandom.UniformPair(noise, i).U1));
                }
                Check("CorruptInputs", backend, expected, Read(be, s[1]), rel: 2e-5, magnitude: magnitude);
                Assert.Equal(x, Read(be, s[0])); // the clean input is left as it was
                Assert.Equal(buf.All.Length - 2 * n, Read(be, buf.All).Count(float.IsNaN)); // nothing outside the slices written
            }
    }

    /// <summary>The draws are what they claim: over 200,003 values the noise has mean 0 and deviation std, dropout drops
    /// a fraction p, the same key repeats bit for bit and another step's key differs.</summary>
    [Theory]
    [MemberData(nameof(Backends))]
    public void CorruptInputs_DrawsHaveTheirDistributionAndRepeat(string backend)
    {
        var be = fixture.Get(backend);
        const int n = 200_003;
        var x = Enumerable.Repeat(1f, n).ToArray();
        int seed = BackendFixture.Seed;
        using var buf = PoisonedSlices(be, [n, n, n], out var s);
        be.Upload(x, s[0]);
        be.CorruptInputs(s[0], n, 0f, 0.3f, default, CounterKey.For(seed, 7, CounterKey.DropoutStream), s[1]);
        var dropped = Read(be, s[1]);
        double fraction = dropped.Count(v => v == 0f) / (double)n;
        Assert.True(Math.Abs(fraction - 0.3) < 0.005, $"dropped {fraction:F4}, expected 0.3 {SeedNote}");
        Assert.All(dropped, v => Assert.True(v == 0f || Math.Abs(v - 1 / 0.7f) < 1e-6));

        be.Fill(s[0], 0f);
        be.CorruptInputs(s[0], n, 0.5f, 0f, CounterKey.For(seed, 7, CounterKey.NoiseStream), default, s[1]);
        var noise = Read(be, s[1]);
        double mean = noise.Average(v => (double)v), sd = Math.Sqrt(noise.Average(v => (v - mean) * (v - mean)));
        Assert.True(Math.Abs(mean) < 0.005 && Math.Abs(sd - 0.5) < 0.005, $"noise mean {mean:F4}, deviation {sd:F4}, expected 0 and 0.5 {SeedNote}");
        be.CorruptInputs(s[0], n, 0.5f, 0f, CounterKey.For(seed, 7, CounterKey.NoiseStream), default, s[2]);
        Assert.Equal(noise, Read(be, s[2]));
        be.CorruptInputs(s[0], n, 0.5f, 0f, CounterKey.For(seed, 8, CounterKey.NoiseStream), default, s[2]);
        Assert.True(Read(be, s[2]).Zip(noise).Count(z => z.First == z.Second) < n / 100, "another step drew the same noise");
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Reparameterize_ForwardAndBackward_MatchFloat64(string backend)
    {
        var (be, rng) = Start(backend);
        foreach (int n in CodingSizes)
        {
            var mean = RandomArray(rng, n, 2f);
            var logVar = RandomArray(rng, n, 3f);
            var dCoding = RandomArray(rng, n);
            var key = Key(rng);
            using var buf = PoisonedSlices(be, [n, n, n, n, n, n], out var s);
            be.Upload(mean, s[0]); be.Upload(logVar, s[1]); be.Upload(dCoding, s[2]);
            be.Reparameterize(s[0], s[1], n, key, s[3]);
            be.ReparameterizeBackward(s[1], s[2], n, key, s[4], s[5]);
            var coding = new double[n];
            var dLogVar = new double[n];
            var codingMagnitude = new double[n]; // as for CorruptInputs: rounding scales with |mean| + sd r
            var dLogVarMagnitude = new double[n];
            for (int i = 0; i < n; i++)
            {
                double eps = GaussianF64(key, i), sd = Math.Exp(0.5 * logVar[i]);
                double r = Math.Sqrt(-2 * Math.Log(CounterRandom.UniformPair(key, i).U1));
                coding[i] = mean[i] + sd * eps;
                dLogVar[i] = dCoding[i] * 0.5 * sd * eps;
                codingMagnitude[i] = Math.Abs(mean[i]) + sd * r;
                dLogVarMagnitude[i] = Math.Abs(dCoding[i]) * 0.5 * sd * r;
            }
            Check("Reparameterize", backend, coding, Read(be, s[3]), rel: 2e-5, magnitude: codingMagnitude);
            Check("ReparameterizeBackward.mean", backend, D(dCoding), Read(be, s[4]));
            Check("ReparameterizeBackward.logVar", backend, dLogVar, Read(be, s[5]), rel: 2e-5, magnitude: dLogVarMagnitude);
            Assert.Equal(buf.All.Length - 6 * n, Read(be, buf.All).Count(float.IsNaN)); // nothing outside the slices written
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void KlDivergence_ForwardAndBackward_MatchFloat64(string backend)
    {
        var (be, rng) = Start(backend);
        foreach (int n in CodingSizes)
        {
            var mean = RandomArray(rng, n, 2f);
            var logVar = RandomArray(rng, n, 2f);
            var gm = RandomArray(rng, n);
            var glv = RandomArray(rng, n);
            float scale = (float)(0.1 + rng.NextDouble());
            using var buf = PoisonedSlices(be, [n, n, n, n, 1], out var s);
            be.Upload(mean, s[0]); be.Upload(logVar, s[1]); be.Upload(gm, s[2]); be.Upload(glv, s[3]);
            double kl = 0;
            for (int i = 0; i < n; i++) kl += -0.5 * (1 + (double)logVar[i] - (double)mean[i] * mean[i] - Math.Exp(logVar[i]));
            be.KlDivergence(s[0], s[1], n, scale, s[4], accumulate: false); // overwrites the NaN
            Check("KlDivergence", backend, [scale * kl], Read(be, s[4]));
            be.KlDivergence(s[0], s[1], n, 1f, s[4], accumulate: true);
            Check("KlDivergence.accumulate", backend, [scale * kl + kl], Read(be, s[4]));
            be.KlDivergenceBackward(s[0], s[1], n, scale, s[2], s[3]);
            Check("KlDivergenceBackward.mean", backend, Enumerable.Range(0, n).Select(i => gm[i] + scale * (double)mean[i]).ToArray(), Read(be, s[2]));
            Check("KlDivergenceBackward.logVar", backend,
                Enumerable.Range(0, n).Select(i => glv[i] + scale * 0.5 * (Math.Exp(logVar[i]) - 1)).ToArray(), Read(be, s[3]));
            Assert.Equal(buf.All.Length - 4 * n - 1, Read(be, buf.All).Count(float.IsNaN));
        }
    }

    /// <summary>The float64 sparsity penalties and the gradient through them and the sigmoid (Géron's sparse autoencoder),
    /// with the sums of their terms' magnitudes: near the target the KL's two terms cancel, and float32 rounding scales
    /// with the terms, not with what is left of them.</summary>
    internal static (double Loss, double[] LogitGradient, double LossMagnitude, double[] GradientMagnitude) ReferenceSparsity(
        float[] coding, float[] dCoding, int rows, int cols, SparsityPenalty p)
    {
        double loss = 0, lossMagnitude = 0;
        var g = new double[rows * cols];
        var gm = new double[rows * cols];
        for (int j = 0; j < cols; j++)
        {
            double q = 0;
            for (int r = 0; r < rows; r++) q += coding[r * cols + j];
            q = Math.Clamp(q / rows, SparsityPenalty.Floor, 1 - SparsityPenalty.Floor);
            double t = p.Target;
            loss += p.Weight * (t * Math.Log(t / q) + (1 - t) * Math.Log((1 - t) / (1 - q)));
            // each log of a ratio near 1 carries about 1e-7 of rounding, so a column is never counted below 0.1 W
            lossMagnitude += p.Weight * (Math.Abs(t * Math.Log(t / q)) + Math.Abs((1 - t) * Math.Log((1 - t) / (1 - q))) + 0.1);
            double dq = p.Weight * (-t / q + (1 - t) / (1 - q)) / rows, dqMagnitude = p.Weight * (t / q + (1 - t) / (1 - q)) / rows;
            for (int r = 0; r < rows; r++)
            {
                double c = coding[r * cols + j];
                loss += p.L1 * Math.Abs(c) / rows;
                lossMagnitude += p.L1 * Math.Abs(c) / rows;
                g[r * cols + j] = (dCoding[r * cols + j] + dq + p.L1 * Math.Sign(c) / rows) * c * (1 - c);
                gm[r * cols + j] = (Math.Abs(dCoding[r * cols + j]) + dqMagnitude + p.L1 / rows) * c * (1 - c);
            }
        }
        return (loss, g, lossMagnitude, gm);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void SparsityPenalty_ForwardAndBackward_MatchFloat64(string backend)
    {
        var (be, rng) = Start(backend);
        foreach (var (rows, cols) in new[] { (1, 1), (3, 5), (37, 30), (300, 7) })
            foreach (var p in new[] { new SparsityPenalty(0.1f, 0.05f, 0f), new SparsityPenalty(0.3f, 0f, 1e-3f), new SparsityPenalty(0.05f, 0.5f, 0.01f) })
            {
                int n = rows * cols;
                var coding = Enumerable.Range(0, n).Select(_ => (float)(0.01 + 0.98 * rng.NextDouble() * rng.NextDouble())).ToArray();
                var dCoding = RandomArray(rng, n, 0.1f);
                using var buf = PoisonedSlices(be, [n, n, n, 1], out var s);
                be.Upload(coding, s[0]); be.Upload(dCoding, s[1]);
                var (loss, g, lossMagnitude, gm) = ReferenceSparsity(coding, dCoding, rows, cols, p);
                be.SparsityPenalty(s[0], rows, cols, p, s[3], accumulate: false);
                Check("SparsityPenalty", backend, [loss], Read(be, s[3]), magnitude: [lossMagnitude]);
                be.SparsityPenalty(s[0], rows, cols, p, s[3], accumulate: true);
                Check("SparsityPenalty.accumulate", backend, [2 * loss], Read(be, s[3]), magnitude: [2 * lossMagnitude]);
                be.SparsityBackward(s[0], s[1], rows, cols, p, s[2]);
                Check("SparsityBackward", backend, g, Read(be, s[2]), rel: 2e-5, magnitude: gm);
                Assert.Equal(buf.All.Length - 3 * n - 1, Read(be, buf.All).Count(float.IsNaN));
            }
    }
}

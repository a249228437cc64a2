using RecurrentAE.Kernels;
using RecurrentAE.Model;

namespace RecurrentAE.Tests.Model;

/// <summary>
/// The whole autoencoder in float64, written from REFERENCE.md independently of the backends: one sequence at a time,
/// each at its own length (no padding, no masks), plain loops. Gives the mean loss of a batch under the spec's head and
/// its gradient by backpropagation through time.
/// Parameter layout: the same flat order and Keras names as the model.
/// </summary>
internal sealed class ReferenceAutoencoder(AutoencoderSpec spec, IReadOnlyList<ParameterInfo> layout)
{
    private const double Eps = 1e-7;

    private sealed class LstmTrace
    {
        public required double[][] X, H, C, I, F, G, O; // per step
    }

    public double Loss(double[] w, float[] batch, int count, int steps, int[]? lengths = null) => Run(w, batch, count, steps, null, lengths);

    public double LossAndGradient(double[] w, float[] batch, int count, int steps, double[] grad, int[]? lengths = null) =>
        Run(w, batch, count, steps, grad, lengths);

    private double Run(double[] w, float[] batch, int count, int steps, double[]? grad, int[]? lengths)
    {
        int D = spec.Features, padded = steps;
        double total = 0;
        long values = lengths?.Sum() ?? (long)count * steps;
        // The mean over every value (softmax: over every step, its values being one one-hot symbol).
        double scale = spec.Head == OutputHead.Softmax ? 1.0 / values : 1.0 / (values * D);
        for (int n = 0; n < count; n++)
        {
            steps = lengths?[n] ?? padded;
            var x = new double[steps][];
            for (int t = 0; t < steps; t++)
            {
                x[t] = new double[D];
                for (int f = 0; f < D; f++) x[t][f] = batch[(n * padded + t) * D + f];
            }
            // Encoder
            var encTraces = new List<LstmTrace>();
            var input = x;
            for (int l = 0; l < spec.EncoderUnits.Count; l++)
            {
                var tr = LstmForward($"encoder.lstm{l}", w, input, spec.EncoderUnits[l]);
                encTraces.Add(tr);
                input = tr.H;
            }
            var coding = input[steps - 1];
            // Decoder
            var decTraces = new List<LstmTrace>();
            input = Enumerable.Range(0, steps).Select(_ => coding).ToArray();
            for (int l = 0; l < spec.DecoderUnits.Count; l++)
            {
                var tr = LstmForward($"decoder.lstm{l}", w, input, spec.DecoderUnits[l]);
                decTraces.Add(tr);
                input = tr.H;
            }
            var dk = P("decoder.dense.kernel"); var db = P("decoder.dense.bias");
            int Ud = spec.DecoderUnits[^1];
            var dTop = new double[steps][];
            for (int t = 0; t < steps; t++)
            {
                dTop[t] = new double[Ud];
                var z = new double[D];
                for (int f = 0; f < D; f++)
                {
                    z[f] = w[db.Offset + f];
                    for (int u = 0; u < Ud; u++) z[f] += input[t][u] * w[dk.Offset + u * D + f];
                }
                double zmax = z.Max(), zsum = z.Sum(v => Math.Exp(v - zmax));
                for (int f = 0; f < D; f++)
                {
                    double y = x[t][f], dz;
                    switch (spec.Head)
                    {
                        case OutputHead.Sigmoid:
                            double p = 1 / (1 + Math.Exp(-z[f]));
                            double pc = Math.Clamp(p, Eps, 1 - Eps);
                            total += -(y * Math.Log(pc) + (1 - y) * Math.Log(1 - pc)) * scale;
                            dz = (p < Eps || p > 1 - Eps) ? 0 : (p - y) * scale;
                            break;
                        case OutputHead.Linear:
                            total += (z[f] - y) * (z[f] - y) * scale;
                            dz = 2 * (z[f] - y) * scale;
                            break;
                        default:
                            double logp = z[f] - zmax - Math.Log(zsum);
                            total += -y * logp * scale;
                            dz = (Math.Exp(logp) - y) * scale;
                            break;
                    }
                    if (grad == null) continue;
                    grad[db.Offset + f] += dz;
                    for (int u = 0; u < Ud; u++)
                    {
                        grad[dk.Offset + u * D + f] += input[t][u] * dz;
                        dTop[t][u] += w[dk.Offset + u * D + f] * dz;
                    }
                }
            }
            if (grad == null) continue;
            var dIn = dTop;
            for (int l = spec.DecoderUnits.Count - 1; l >= 0; l--)
                dIn = LstmBackward($"decoder.lstm{l}", w, decTraces[l], dIn, grad);
            // RepeatVector backward: sum over steps.
            var dCoding = new double[spec.CodingSize];
            foreach (var d in dIn) for (int u = 0; u < dCoding.Length; u++) dCoding[u] += d[u];
            var dEnc = Enumerable.Range(0, steps).Select(t => t == steps - 1 ? dCoding : new double[dCoding.Length]).ToArray();
            for (int l = spec.EncoderUnits.Count - 1; l >= 0; l--)
                dEnc = LstmBackward($"encoder.lstm{l}", w, encTraces[l], dEnc, grad);
        }
        return total;
    }

    private ParameterInfo P(string name) => layout.Single(p => p.Name == name);

    private LstmTrace LstmForward(string name, double[] w, double[][] x, int U)
    {
        var k = P(name + ".kernel"); var r = P(name + ".recurrent_kernel"); var b = P(name + ".bias");
        int T = x.Length, In = x[0].Length, G = 4 * U;
        var tr = new LstmTrace { X = x, H = new double[T][], C = new double[T][], I = new double[T][], F = new double[T][], G = new double[T][], O = new double[T][] };
        var h = new double[U]; var c = new double[U];
        for (int t = 0; t < T; t++)
        {
            var z = new double[G];
            for (int j = 0; j < G; j++)
            {
                double s = w[b.Offset + j];
                for (int p = 0; p < In; p++) s += x[t][p] * w[k.Offset + p * G + j];
                for (int p = 0; p < U; p++) s += h[p] * w[r.Offset + p * G + j];
                z[j] = s;
            }
            tr.I[t] = new double[U]; tr.F[t] = new double[U]; tr.G[t] = new double[U]; tr.O[t] = new double[U];
            var hn = new double[U]; var cn = new double[U];
            for (int u = 0; u < U; u++)
            {
                double i = Sig(z[u]), f = Sig(z[U + u]), g = Math.Tanh(z[2 * U + u]), o = Sig(z[3 * U + u]);
                cn[u] = f * c[u] + i * g;
                hn[u] = o * Math.Tanh(cn[u]);
                tr.I[t][u] = i; tr.F[t][u] = f; tr.G[t][u] = g; tr.O[t][u] = o;
            }
            tr.H[t] = hn; tr.C[t] = cn; h = hn; c = cn;
        }
        return tr;
    }

    /// <summary>Backpropagation through time of one layer; returns dL/dx per step and accumulates parameter gradients.</summary>
    private double[][] LstmBackward(string name, double[] w, LstmTrace tr, double[][] dhAbove, double[] grad)
    {
        var k = P(name + ".kernel"); var r = P(name + ".recurrent_kernel"); var b = P(name + ".bias");
        int T = tr.X.Length, In = tr.X[0].Length, U = tr.H[0].Length, G = 4 * U;
        var dx = new double[T][];
        var dhNext = new double[U]; var dcNext = new double[U];
        for (int t = T - 1; t >= 0; t--)
        {
            var dz = new double[G];
            var dcPrev = new double[U];
            for (int u = 0; u < U; u++)
            {
                double dh = dhAbove[t][u] + dhNext[u];
                double tc = Math.Tanh(tr.C[t][u]);
                double i = tr.I[t][u], f = tr.F[t][u], g = tr.G[t][u], o = tr.O[t][u];
                double cPrev = t > 0 ? tr.C[t - 1][u] : 0;
                double dc = dcNext[u] + dh * o * (1 - tc * tc);
                dz[u] = dc * g * i * (1 - i);
                dz[U + u] = dc * cPrev * f * (1 - f);
                dz[2 * U + u] = dc * i * (1 - g * g);
                dz[3 * U + u] = dh * tc * o * (1 - o);
                dcPrev[u] = dc * f;
            }
            dx[t] = new double[In];
            var dhPrev = new double[U];
            for (int j = 0; j < G; j++)
            {
                grad[b.Offset + j] += dz[j];
                for (int p = 0; p < In; p++)
                {
                    grad[k.Offset + p * G + j] += tr.X[t][p] * dz[j];
                    dx[t][p] += w[k.Offset + p * G + j] * dz[j];
                }
                if (t > 0)
                    for (int p = 0; p < U; p++)
                    {
                        grad[r.Offset + p * G + j] += tr.H[t - 1][p] * dz[j];
                        dhPrev[p] += w[r.Offset + p * G + j] * dz[j];
                    }
            }
            dhNext = dhPrev; dcNext = dcPrev;
        }
        return dx;
    }

    private static double Sig(double z) => 1 / (1 + Math.Exp(-z));
}

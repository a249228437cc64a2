using RecurrentAE.Tests.Contract;

namespace RecurrentAE.Tests.Model;

/// <summary>
/// The whole autoencoder in float64, written from docs/reference.md independently of the backends: one sequence at a time,
/// each at its own length (no padding, no masks), plain loops. Gives the mean loss of a batch under the spec's head and
/// its gradient by backpropagation through time. The decoder's targets y are the sequence, or it reversed with
/// ReverseOutput; with TeacherForcing the first decoder LSTM's input at step t is [coding ; y_{t-1}] (y_{-1} = 0), and
/// <see cref="Greedy"/> decodes step by step from the model's own previous outputs instead.
/// Parameter layout: the same flat order and Keras names as the model.
/// </summary>
internal sealed class ReferenceAutoencoder(AutoencoderSpec spec, IReadOnlyList<ParameterInfo> layout)
{
    private const double Eps = 1e-7;

    private sealed class LstmTrace
    {
        public required double[][] X, H, C, I, F, G, O; // per step
    }

    /// <summary>Input dropout with a fixed mask: (sequence n, step t) is true where y_{t-1} is replaced by zeros (t >= 1).</summary>
    public Func<int, int, bool>? DroppedPrevious { get; init; }

    /// <summary>Denoising: what the encoder sees instead of the batch (same layout); the targets stay the batch.</summary>
    public float[]? EncoderInput { get; init; }

    /// <summary>Variational: eps of (sequence n, coding unit j), fixed; null: the coding is the mean (evaluation).</summary>
    public Func<int, int, double>? Noise { get; init; }

    /// <summary>Variational: the KL term's factor (weight x warm-up ramp); the KL is per value, like the loss.</summary>
    public double KlFactor { get; init; } = 1;

    /// <summary>Sparse: the penalties (target, KL weight, L1 weight) on the batch's sigmoid codings.</summary>
    public SparsityPenalty Sparsity { get; init; }

    /// <summary>The coding layer's values for one sequence: the last state, and mean, log-variance and the coding.</summary>
    private sealed record CodingTrace(double[] State, double[] Mean, double[] LogVar, double[] Eps, double[] Coding);

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
        int C = spec.CodingSize;
        var encoded = new (List<LstmTrace> Traces, CodingTrace Coding)[count];
        for (int n = 0; n < count; n++)
        {
            int length = lengths?[n] ?? padded;
            var (traces, state) = Encode(w, Sequence(EncoderInput ?? batch, n, padded, length));
            encoded[n] = (traces, CodingOf(w, state, Noise is null ? null : j => Noise(n, j)));
        }
        // The regulariser: the variational KL (per value, like the loss), or the sparse penalties over the batch.
        var dRegularizer = new double[count][];
        for (int n = 0; n < count; n++) dRegularizer[n] = new double[C];
        if (spec.Coding == CodingKind.Variational)
            for (int n = 0; n < count; n++)
            {
                var (m, lv) = (encoded[n].Coding.Mean, encoded[n].Coding.LogVar);
                for (int j = 0; j < C; j++) total += KlFactor * scale * -0.5 * (1 + lv[j] - m[j] * m[j] - Math.Exp(lv[j]));
            }
        if (spec.Coding == CodingKind.Sparse)
            for (int j = 0; j < C; j++)
            {
                double q = Math.Clamp(encoded.Average(e => e.Coding.Coding[j]), SparsityPenalty.Floor, 1 - SparsityPenalty.Floor), t = Sparsity.Target;
                if (Sparsity.Weight != 0) total += Sparsity.Weight * (t * Math.Log(t / q) + (1 - t) * Math.Log((1 - t) / (1 - q)));
                double dq = Sparsity.Weight == 0 ? 0 : Sparsity.Weight * (-t / q + (1 - t) / (1 - q)) / count;
                for (int n = 0; n < count; n++)
                {
                    double c = encoded[n].Coding.Coding[j];
                    total += Sparsity.L1 * Math.Abs(c) / count;
                    dRegularizer[n][j] = dq + Sparsity.L1 * Math.Sign(c) / count;
                }
            }
        for (int n = 0; n < count; n++)
        {
            steps = lengths?[n] ?? padded;
            var x = Sequence(batch, n, padded, steps);
            var y = Targets(x);
            var (encTraces, codingTrace) = encoded[n];
            var coding = codingTrace.Coding;
            // Decoder
            var decTraces = new List<LstmTrace>();
            var input = Enumerable.Range(0, steps).Select(t => DecoderInput(coding, t > 0 && DroppedPrevious?.Invoke(n, t) != true ? y[t - 1] : null)).ToArray();
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
                    double target = y[t][f], dz;
                    switch (spec.Head)
                    {
                        case OutputHead.Sigmoid:
                            double p = 1 / (1 + Math.Exp(-z[f]));
                            double pc = Math.Clamp(p, Eps, 1 - Eps);
                            total += -(target * Math.Log(pc) + (1 - target) * Math.Log(1 - pc)) * scale;
                            dz = (p < Eps || p > 1 - Eps) ? 0 : (p - target) * scale;
                            break;
                        case OutputHead.Linear:
                            total += (z[f] - target) * (z[f] - target) * scale;
                            dz = 2 * (z[f] - target) * scale;
                            break;
                        default:
                            double logp = z[f] - zmax - Math.Log(zsum);
                            total += -target * logp * scale;
                            dz = (Math.Exp(logp) - target) * scale;
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
            // RepeatVector backward: sum over steps (of the coding's part of [coding ; y_{t-1}]; y gets no gradient).
            var dCoding = new double[spec.CodingSize];
            foreach (var d in dIn) for (int u = 0; u < dCoding.Length; u++) dCoding[u] += d[u];
            var dState = CodingBackward(w, codingTrace, dCoding, dRegularizer[n], scale, grad);
            var dEnc = Enumerable.Range(0, steps).Select(t => t == steps - 1 ? dState : new double[dState.Length]).ToArray();
            for (int l = spec.EncoderUnits.Count - 1; l >= 0; l--)
                dEnc = LstmBackward($"encoder.lstm{l}", w, encTraces[l], dEnc, grad);
        }
        return total;
    }

    /// <summary>
    /// Greedy decoding in float64, one sequence and one step at a time: each sequence encoded at its own length L and
    /// decoded for L steps, the first decoder LSTM fed [coding ; previous output] (softmax: the one-hot of the argmax,
    /// the first index winning a tie; otherwise the output itself). Returns the outputs batch-major in the data's order
    /// (zeros past each length) and the smallest gap between the two largest probabilities of any argmax taken
    /// (infinity without a softmax head): a float32 model can only be expected to take the same path when it is not tiny.
    /// </summary>
    public (double[] Outputs, double SmallestGap) Greedy(double[] w, float[] batch, int count, int steps, int[]? lengths = null)
    {
        int D = spec.Features, padded = steps;
        var outputs = new double[count * padded * D];
        double smallestGap = double.PositiveInfinity;
        for (int n = 0; n < count; n++)
        {
            int length = lengths?[n] ?? padded;
            var (_, state) = Encode(w, Sequence(batch, n, padded, length));
            var coding = CodingOf(w, state, null).Coding;
            var h = spec.DecoderUnits.Select(u => new double[u]).ToArray();
            var c = spec.DecoderUnits.Select(u => new double[u]).ToArray();
            double[]? previous = null;
            for (int t = 0; t < length; t++)
            {
                var input = DecoderInput(coding, previous);
                for (int l = 0; l < spec.DecoderUnits.Count; l++)
                {
                    (h[l], c[l]) = LstmStep($"decoder.lstm{l}", w, input, h[l], c[l], null);
                    input = h[l];
                }
                var p = HeadOutput(w, input);
                int at = spec.ReverseOutput ? length - 1 - t : t;
                p.CopyTo(outputs, (n * padded + at) * D);
                previous = p;
                if (spec.Head != OutputHead.Softmax) continue;
                int best = 0;
                for (int j = 1; j < D; j++) if (p[j] > p[best]) best = j;
                double second = Enumerable.Range(0, D).Where(j => j != best).Select(j => p[j]).DefaultIfEmpty(double.NegativeInfinity).Max();
                smallestGap = Math.Min(smallestGap, p[best] - second);
                previous = new double[D];
                previous[best] = 1;
            }
        }
        return (outputs, smallestGap);
    }

    private double[][] Sequence(float[] batch, int n, int padded, int steps)
    {
        int D = spec.Features;
        var x = new double[steps][];
        for (int t = 0; t < steps; t++)
        {
            x[t] = new double[D];
            for (int f = 0; f < D; f++) x[t][f] = batch[(n * padded + t) * D + f];
        }
        return x;
    }

    /// <summary>What the decoder's step t is compared with: x_t, or x_{L-1-t} with a reversed output.</summary>
    private double[][] Targets(double[][] x) => spec.ReverseOutput ? [.. x.Reverse()] : x;

    /// <summary>The first decoder LSTM's input: the coding, with teacher forcing followed by y_{t-1} (null: y_{-1} = 0).</summary>
    private double[] DecoderInput(double[] coding, double[]? previous) =>
        spec.TeacherForcing ? [.. coding, .. previous ?? new double[spec.Features]] : coding;

    private (List<LstmTrace> Traces, double[] Coding) Encode(double[] w, double[][] x)
    {
        var traces = new List<LstmTrace>();
        var input = x;
        for (int l = 0; l < spec.EncoderUnits.Count; l++)
        {
            var tr = LstmForward($"encoder.lstm{l}", w, input, spec.EncoderUnits[l]);
            traces.Add(tr);
            input = tr.H;
        }
        return (traces, input[^1]);
    }

    /// <summary>The Dense layer and the head's activation at one step.</summary>
    private double[] HeadOutput(double[] w, double[] h)
    {
        var dk = P("decoder.dense.kernel"); var db = P("decoder.dense.bias");
        int D = spec.Features;
        var z = new double[D];
        for (int f = 0; f < D; f++)
        {
            z[f] = w[db.Offset + f];
            for (int u = 0; u < h.Length; u++) z[f] += h[u] * w[dk.Offset + u * D + f];
        }
        double zmax = z.Max(), zsum = z.Sum(v => Math.Exp(v - zmax));
        return spec.Head switch
        {
            OutputHead.Sigmoid => [.. z.Select(ReferenceOps.Sigmoid)],
            OutputHead.Linear => z,
            _ => [.. z.Select(v => Math.Exp(v - zmax) / zsum)],
        };
    }

    private ParameterInfo P(string name) => layout.Single(p => p.Name == name);

    /// <summary>Dense(U -> U) of the last state: z_j = b_j + sum_u state_u k[u, j].</summary>
    private double[] Dense(double[] w, string name, double[] state)
    {
        var k = P(name + ".kernel"); var b = P(name + ".bias");
        int C = state.Length;
        var z = new double[C];
        for (int j = 0; j < C; j++)
        {
            z[j] = w[b.Offset + j];
            for (int u = 0; u < C; u++) z[j] += state[u] * w[k.Offset + u * C + j];
        }
        return z;
    }

    /// <summary>dz of a Dense(U -> U) of the state: adds the kernel's and bias's gradients and dz k^T to dState.</summary>
    private void DenseBackward(double[] w, string name, double[] state, double[] dz, double[] dState, double[] grad)
    {
        var k = P(name + ".kernel"); var b = P(name + ".bias");
        int C = state.Length;
        for (int j = 0; j < C; j++)
        {
            grad[b.Offset + j] += dz[j];
            for (int u = 0; u < C; u++)
            {
                grad[k.Offset + u * C + j] += state[u] * dz[j];
                dState[u] += w[k.Offset + u * C + j] * dz[j];
            }
        }
    }

    /// <summary>The coding from the last state: the state itself, sigmoid(Dense) (sparse), or mean + exp(logvar / 2) eps
    /// (variational; the mean when <paramref name="eps"/> is null).</summary>
    private CodingTrace CodingOf(double[] w, double[] state, Func<int, double>? eps)
    {
        switch (spec.Coding)
        {
            case CodingKind.Sparse:
                var c = Dense(w, "encoder.coding", state).Select(ReferenceOps.Sigmoid).ToArray();
                return new(state, c, [], [], c);
            case CodingKind.Variational:
                var m = Dense(w, "encoder.mean", state);
                var lv = Dense(w, "encoder.log_var", state);
                var e = Enumerable.Range(0, m.Length).Select(j => eps?.Invoke(j) ?? 0).ToArray();
                return new(state, m, lv, e, [.. Enumerable.Range(0, m.Length).Select(j => m[j] + Math.Exp(lv[j] / 2) * e[j])]);
            default:
                return new(state, state, [], [], state);
        }
    }

    /// <summary>Back through the coding layer (and the regulariser: <paramref name="dRegularizer"/> for the sparse
    /// penalties, the KL's gradient for a variational coding) to the last state.</summary>
    private double[] CodingBackward(double[] w, CodingTrace tr, double[] dCoding, double[] dRegularizer, double scale, double[] grad)
    {
        int C = dCoding.Length;
        var dState = new double[C];
        switch (spec.Coding)
        {
            case CodingKind.Sparse:
                var dz = Enumerable.Range(0, C).Select(j => (dCoding[j] + dRegularizer[j]) * tr.Coding[j] * (1 - tr.Coding[j])).ToArray();
                DenseBackward(w, "encoder.coding", tr.State, dz, dState, grad);
                return dState;
            case CodingKind.Variational:
                double k = KlFactor * scale;
                var dm = Enumerable.Range(0, C).Select(j => dCoding[j] + k * tr.Mean[j]).ToArray();
                var dlv = Enumerable.Range(0, C).Select(j => dCoding[j] * 0.5 * Math.Exp(tr.LogVar[j] / 2) * tr.Eps[j] + k * 0.5 * (Math.Exp(tr.LogVar[j]) - 1)).ToArray();
                DenseBackward(w, "encoder.mean", tr.State, dm, dState, grad);
                DenseBackward(w, "encoder.log_var", tr.State, dlv, dState, grad);
                return dState;
            default:
                return dCoding;
        }
    }

    private LstmTrace LstmForward(string name, double[] w, double[][] x, int U)
    {
        int T = x.Length;
        var tr = new LstmTrace { X = x, H = new double[T][], C = new double[T][], I = new double[T][], F = new double[T][], G = new double[T][], O = new double[T][] };
        var h = new double[U]; var c = new double[U];
        for (int t = 0; t < T; t++)
        {
            (h, c) = LstmStep(name, w, x[t], h, c, (tr, t));
            tr.H[t] = h; tr.C[t] = c;
        }
        return tr;
    }

    /// <summary>One step of a Keras LSTM from (h, c); records the gates in the trace when one is given.</summary>
    private (double[] H, double[] C) LstmStep(string name, double[] w, double[] x, double[] h, double[] c, (LstmTrace Trace, int Step)? record)
    {
        var k = P(name + ".kernel"); var r = P(name + ".recurrent_kernel"); var b = P(name + ".bias");
        int U = h.Length, In = x.Length, G = 4 * U;
        var z = new double[G];
        for (int j = 0; j < G; j++)
        {
            double s = w[b.Offset + j];
            for (int p = 0; p < In; p++) s += x[p] * w[k.Offset + p * G + j];
            for (int p = 0; p < U; p++) s += h[p] * w[r.Offset + p * G + j];
            z[j] = s;
        }
        var hn = new double[U]; var cn = new double[U];
        double[] gi = new double[U], gf = new double[U], gg = new double[U], go = new double[U];
        for (int u = 0; u < U; u++)
        {
            double i = ReferenceOps.Sigmoid(z[u]), f = ReferenceOps.Sigmoid(z[U + u]), g = Math.Tanh(z[2 * U + u]), o = ReferenceOps.Sigmoid(z[3 * U + u]);
            cn[u] = f * c[u] + i * g;
            hn[u] = o * Math.Tanh(cn[u]);
            gi[u] = i; gf[u] = f; gg[u] = g; go[u] = o;
        }
        if (record is var (tr, t))
        {
            tr.I[t] = gi; tr.F[t] = gf; tr.G[t] = gg; tr.O[t] = go;
        }
        return (hn, cn);
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

}

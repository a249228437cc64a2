namespace RecurrentAE.Tests.Contract;

/// <summary>
/// float64 reference implementations of every contract op, written from the formulas (docs/design.md, docs/reference.md,
/// the contract's doc comments), not from any backend. The LSTM backward is itself checked against finite differences.
/// </summary>
public static class ReferenceOps
{
    public static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    public static double Tanh(double x) => Math.Tanh(x);

    /// <summary>C = alpha op(A) op(B) + beta C over the m x n window at c[co + i*ldc + j]; beta = 0 ignores C's old values.
    /// With <paramref name="absSum"/> (m x n) also alpha sum |a||b| (+ |beta c|) per element, for error bounds.</summary>
    public static void Gemm(bool transA, bool transB, int m, int n, int k, double alpha,
        double[] a, int ao, int lda, double[] b, int bo, int ldb, double beta, double[] c, int co, int ldc, double[]? absSum = null)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0, abs = 0;
                for (int p = 0; p < k; p++)
                {
                    double av = transA ? a[ao + p * lda + i] : a[ao + i * lda + p];
                    double bv = transB ? b[bo + j * ldb + p] : b[bo + p * ldb + j];
                    s += av * bv;
                    abs += Math.Abs(av * bv);
                }
                int ci = co + i * ldc + j;
                if (absSum != null) absSum[i * n + j] = Math.Abs(alpha) * abs + (beta == 0 ? 0 : Math.Abs(beta * c[ci]));
                c[ci] = beta == 0 ? alpha * s : alpha * s + beta * c[ci];
            }
    }

    public static double[] ColumnSum(double[] x, int rows, int cols, double[]? initial)
    {
        var s = new double[cols];
        for (int j = 0; j < cols; j++)
        {
            double v = initial?[j] ?? 0;
            for (int i = 0; i < rows; i++) v += x[i * cols + j];
            s[j] = v;
        }
        return s;
    }

    public sealed record LstmState(double[] H, double[] C, double[] Gates);

    /// <summary>Keras LSTM forward (gates i, f, c, o), time-major; masked steps carry h and c over and store zero gates.
    /// h_{-1} and c_{-1} are <paramref name="h0"/> and <paramref name="c0"/> ((batch, units); null: zeros).</summary>
    public static LstmState LstmForward(int steps, int batch, int units, double[] xproj, int xStride,
        double[] rk, double[] bias, int[]? lengths, double[]? h0 = null, double[]? c0 = null)
    {
        int U = units, G = 4 * U;
        var H = new double[steps * batch * U];
        var C = new double[steps * batch * U];
        var gates = new double[steps * batch * G];
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < batch; b++)
            {
                int row = t * batch + b, prev = row - batch;
                double HPrev(int u) => t > 0 ? H[prev * U + u] : h0?[b * U + u] ?? 0;
                double CPrev(int u) => t > 0 ? C[prev * U + u] : c0?[b * U + u] ?? 0;
                if (lengths != null && t >= lengths[b])
                {
                    for (int u = 0; u < U; u++)
                    {
                        H[row * U + u] = HPrev(u);
                        C[row * U + u] = CPrev(u);
                    }
                    continue;
                }
                for (int u = 0; u < U; u++)
                {
                    var z = new double[4];
                    for (int gate = 0; gate < 4; gate++)
                    {
                        int j = gate * U + u;
                        double s = xproj[t * xStride + b * G + j] + bias[j];
                        for (int p = 0; p < U; p++) s += HPrev(p) * rk[p * G + j];
                        z[gate] = s;
                    }
                    double i = Sigmoid(z[0]), f = Sigmoid(z[1]), g = Tanh(z[2]), o = Sigmoid(z[3]);
                    double cPrev = CPrev(u);
                    double c = f * cPrev + i * g;
                    C[row * U + u] = c;
                    H[row * U + u] = o * Tanh(c);
                    gates[row * G + u] = i;
                    gates[row * G + U + u] = f;
                    gates[row * G + 2 * U + u] = g;
                    gates[row * G + 3 * U + u] = o;
                }
            }
        return new LstmState(H, C, gates);
    }

    public sealed record LstmGradients(double[] GateGradient, double[] RecurrentKernelGradient, double[] BiasGradient);

    /// <summary>Backpropagation through time of <see cref="LstmForward"/> for dL/dH given at every step.
    /// Returns dL/dz for every step and dL/dU, dL/db (not accumulated: the caller adds any initial values).</summary>
    public static LstmGradients LstmBackward(int steps, int batch, int units, double[] rk, LstmState s, double[] dHidden, int[]? lengths)
    {
        int U = units, G = 4 * U;
        var dZ = new double[steps * batch * G];
        var dRk = new double[U * G];
        var dB = new double[G];
        var dhRec = new double[batch * U]; // dL/dh_t through step t+1
        var dcRec = new double[batch * U]; // dL/dc_t through step t+1
        for (int t = steps - 1; t >= 0; t--)
            for (int b = 0; b < batch; b++)
            {
                int row = t * batch + b, prev = row - batch;
                var dh = new double[U];
                for (int u = 0; u < U; u++) dh[u] = dHidden[row * U + u] + dhRec[b * U + u];
                if (lengths != null && t >= lengths[b])
                {
                    // h_t = h_{t-1}, c_t = c_{t-1}: both gradients pass through unchanged.
                    for (int u = 0; u < U; u++) dhRec[b * U + u] = dh[u];
                    continue;
                }
                for (int u = 0; u < U; u++)
                {
                    double i = s.Gates[row * G + u], f = s.Gates[row * G + U + u], g = s.Gates[row * G + 2 * U + u], o = s.Gates[row * G + 3 * U + u];
                    double tc = Tanh(s.C[row * U + u]);
                    double cPrev = t > 0 ? s.C[prev * U + u] : 0;
                    double dc = dcRec[b * U + u] + dh[u] * o * (1 - tc * tc);
                    dZ[row * G + u] = dc * g * i * (1 - i);
                    dZ[row * G + U + u] = dc * cPrev * f * (1 - f);
                    dZ[row * G + 2 * U + u] = dc * i * (1 - g * g);
                    dZ[row * G + 3 * U + u] = dh[u] * tc * o * (1 - o);
                    dcRec[b * U + u] = dc * f;
                }
                for (int p = 0; p < U; p++)
                {
                    double sum = 0, hPrev = t > 0 ? s.H[prev * U + p] : 0;
                    for (int j = 0; j < G; j++)
                    {
                        sum += dZ[row * G + j] * rk[p * G + j];
                        dRk[p * G + j] += hPrev * dZ[row * G + j];
                    }
                    dhRec[b * U + p] = sum;
                }
                for (int j = 0; j < G; j++) dB[j] += dZ[row * G + j];
            }
        return new LstmGradients(dZ, dRk, dB);
    }

    /// <summary>The output head's activation of logits + bias, row by row (softmax over a row).</summary>
    public static double[] HeadForward(OutputHead head, double[] logits, double[] bias, int rows, int cols)
    {
        var p = new double[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            var z = Enumerable.Range(0, cols).Select(j => logits[r * cols + j] + bias[j]).ToArray();
            double max = z.Max(), sum = z.Sum(v => Math.Exp(v - max));
            for (int j = 0; j < cols; j++)
                p[r * cols + j] = head switch
                {
                    OutputHead.Sigmoid => Sigmoid(z[j]),
                    OutputHead.Linear => z[j],
                    _ => Math.Exp(z[j] - max) / sum,
                };
        }
        return p;
    }

    /// <summary>
    /// The head losses of <see cref="HeadLossArgs"/> over a time-major (steps, batch, cols) block: scale * sum of the
    /// losses of unmasked rows, and scale * the gradient w.r.t. the logits (0 on masked rows). Keras BCE clips p to
    /// [1e-7, 1 - 1e-7] with no gradient where clipped; MSE (p - y)^2; softmax cross-entropy -sum y log p, gradient p - y.
    /// </summary>
    public static (double Loss, double[] Gradient) HeadLoss(OutputHead head, double[] p, double[] y, int steps, int batch, int cols,
        int[]? lengths, double scale)
    {
        // the clip bounds are the float32 values every backend uses
        double lo = 1e-7f, hiF = 1f - 1e-7f;
        var grad = new double[p.Length];
        double sum = 0;
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < batch; b++)
            {
                if (lengths != null && t >= lengths[b]) continue;
                for (int j = 0; j < cols; j++)
                {
                    int i = (t * batch + b) * cols + j;
                    switch (head)
                    {
                        case OutputHead.Sigmoid:
                            double pc = Math.Clamp(p[i], lo, hiF);
                            sum += -(y[i] * Math.Log(pc) + (1 - y[i]) * Math.Log(1 - pc));
                            grad[i] = p[i] < lo || p[i] > hiF ? 0 : scale * (p[i] - y[i]);
                            break;
                        case OutputHead.Linear:
                            sum += (p[i] - y[i]) * (p[i] - y[i]);
                            grad[i] = scale * 2 * (p[i] - y[i]);
                            break;
                        default:
                            if (y[i] != 0) sum += -y[i] * Math.Log(p[i]);
                            grad[i] = scale * (p[i] - y[i]);
                            break;
                    }
                }
            }
        return (scale * sum, grad);
    }

    public static (double[] W, double[] M, double[] V) Adam(double[] w, double[] g, double[] m, double[] v,
        double lr, double b1, double b2, double eps, int step)
    {
        double a = lr * Math.Sqrt(1 - Math.Pow(b2, step)) / (1 - Math.Pow(b1, step));
        var w2 = (double[])w.Clone();
        var m2 = new double[w.Length];
        var v2 = new double[w.Length];
        for (int i = 0; i < w.Length; i++)
        {
            m2[i] = b1 * m[i] + (1 - b1) * g[i];
            v2[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
            w2[i] -= a * m2[i] / (Math.Sqrt(v2[i]) + eps);
        }
        return (w2, m2, v2);
    }
}

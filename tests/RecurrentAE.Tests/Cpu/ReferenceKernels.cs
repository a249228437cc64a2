using RecurrentAE.Tests.Contract;

namespace RecurrentAE.Tests.Cpu;

/// <summary>
/// The original scalar CPU backend's LSTM, converted to double: the reference the SIMD LSTM kernels are checked against
/// (the other ops, the GEMM included, against <see cref="ReferenceOps"/>). Same loops, same masking rules, same order of
/// gate blocks (i, f, g, o).
/// </summary>
internal static class ReferenceKernels
{
    public static void LstmForward(int T, int B, int U, double[] xp, int stride, double[] rk, double[] bias,
        double[] H, double[] C, double[] gates, int[]? lengths)
    {
        int G = 4 * U;
        var z = new double[G];
        for (int t = 0; t < T; t++)
            for (int b = 0; b < B; b++)
            {
                int hO = (t * B + b) * U, gO = (t * B + b) * G;
                if (lengths != null && t >= lengths[b])
                {
                    for (int u = 0; u < U; u++)
                    {
                        H[hO + u] = t == 0 ? 0 : H[hO - B * U + u];
                        C[hO + u] = t == 0 ? 0 : C[hO - B * U + u];
                    }
                    Array.Clear(gates, gO, G);
                    continue;
                }
                for (int j = 0; j < G; j++) z[j] = xp[t * stride + b * G + j] + bias[j];
                if (t > 0)
                    for (int p = 0; p < U; p++)
                        for (int j = 0; j < G; j++) z[j] += H[hO - B * U + p] * rk[p * G + j];
                for (int u = 0; u < U; u++)
                {
                    double i = ReferenceOps.Sigmoid(z[u]), f = ReferenceOps.Sigmoid(z[U + u]), g = Math.Tanh(z[2 * U + u]), o = ReferenceOps.Sigmoid(z[3 * U + u]);
                    double cPrev = t > 0 ? C[hO - B * U + u] : 0;
                    double c = f * cPrev + i * g;
                    C[hO + u] = c;
                    H[hO + u] = o * Math.Tanh(c);
                    gates[gO + u] = i; gates[gO + U + u] = f; gates[gO + 2 * U + u] = g; gates[gO + 3 * U + u] = o;
                }
            }
    }

    public static void LstmBackward(int T, int B, int U, double[] rk, double[] H, double[] C, double[] gates,
        double[] dH, double[] dZ, double[] dRk, double[] dBias, int[]? lengths)
    {
        int G = 4 * U;
        var dC = new double[B * U];
        for (int t = T - 1; t >= 0; t--)
            for (int b = 0; b < B; b++)
            {
                int hO = (t * B + b) * U, gO = (t * B + b) * G;
                if (lengths != null && t >= lengths[b])
                {
                    Array.Clear(dZ, gO, G);
                    if (t > 0) for (int u = 0; u < U; u++) dH[hO - B * U + u] += dH[hO + u];
                    continue;
                }
                for (int u = 0; u < U; u++)
                {
                    double i = gates[gO + u], f = gates[gO + U + u], g = gates[gO + 2 * U + u], o = gates[gO + 3 * U + u];
                    double tc = Math.Tanh(C[hO + u]);
                    double cPrev = t > 0 ? C[hO - B * U + u] : 0;
                    double dh = dH[hO + u];
                    double dcTotal = dC[b * U + u] + dh * o * (1 - tc * tc);
                    dZ[gO + u] = dcTotal * g * i * (1 - i);
                    dZ[gO + U + u] = dcTotal * cPrev * f * (1 - f);
                    dZ[gO + 2 * U + u] = dcTotal * i * (1 - g * g);
                    dZ[gO + 3 * U + u] = dh * tc * o * (1 - o);
                    dC[b * U + u] = dcTotal * f;
                }
                if (t > 0)
                    for (int p = 0; p < U; p++)
                    {
                        double s = 0, hv = H[hO - B * U + p];
                        for (int j = 0; j < G; j++)
                        {
                            s += dZ[gO + j] * rk[p * G + j];
                            dRk[p * G + j] += hv * dZ[gO + j];
                        }
                        dH[hO - B * U + p] += s;
                    }
                for (int j = 0; j < G; j++) dBias[j] += dZ[gO + j];
            }
    }
}

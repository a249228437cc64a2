namespace RecurrentAE.Kernels.Cpu;

/// <summary>
/// The CPU backend: plain C# over managed arrays. This first version is scalar and single-threaded;
/// it is the correctness baseline that the SIMD kernels replace.
/// </summary>
public sealed class CpuBackend : IComputeBackend
{
    public CpuBackend(int threads = 0)
    {
        Threads = threads > 0 ? threads : Environment.ProcessorCount;
    }

    public int Threads { get; }
    public string Name => "cpu";
    public string Description => $"CPU backend, {Threads} thread(s)";

    public DeviceArray Allocate(int length) => new CpuArray(length);
    public DeviceIndexArray AllocateIndices(int length) => new CpuIndexArray(length);
    public void Upload(ReadOnlySpan<float> source, Slice destination) => source.CopyTo(destination.Span());
    public void UploadIndices(ReadOnlySpan<int> source, DeviceIndexArray destination, int offset = 0) => source.CopyTo(destination.Data().AsSpan(offset));
    public void Download(Slice source, Span<float> destination) => source.Span().CopyTo(destination);
    public void Fill(Slice destination, float value) => destination.Span().Fill(value);
    public void Copy(Slice source, Slice destination) => source.Span().CopyTo(destination.Span());
    public void Synchronize() { }
    public void Dispose() { }

    public void Gemm(Transpose transA, Transpose transB, int m, int n, int k,
        float alpha, Slice a, int lda, Slice b, int ldb, float beta, Slice c, int ldc)
    {
        float[] A = a.Data(), B = b.Data(), C = c.Data();
        int ao = a.Offset, bo = b.Offset, co = c.Offset;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transA == Transpose.No ? A[ao + i * lda + p] : A[ao + p * lda + i];
                    float bv = transB == Transpose.No ? B[bo + p * ldb + j] : B[bo + j * ldb + p];
                    sum += av * bv;
                }
                ref float cv = ref C[co + i * ldc + j];
                cv = beta == 0 ? alpha * sum : alpha * sum + beta * cv;
            }
    }

    public void ColumnSum(Slice x, int rows, int cols, Slice sums, bool accumulate)
    {
        var X = x.Span();
        var S = sums.Span();
        for (int j = 0; j < cols; j++)
        {
            float s = accumulate ? S[j] : 0;
            for (int i = 0; i < rows; i++) s += X[i * cols + j];
            S[j] = s;
        }
    }

    public void GatherSequences(Slice data, int steps, int features, DeviceIndexArray indices, int start, int batch, Slice x)
    {
        var D = data.Span();
        var X = x.Span();
        var I = indices.Data();
        for (int b = 0; b < batch; b++)
        {
            int src = I[start + b] * steps * features;
            for (int t = 0; t < steps; t++)
                D.Slice(src + t * features, features).CopyTo(X.Slice((t * batch + b) * features, features));
        }
    }

    public void LstmForward(in LstmForwardArgs a)
    {
        int B = a.Batch, U = a.Units, G = 4 * U;
        var xp = a.InputProjection.Span();
        var rk = a.RecurrentKernel.Span();
        var bias = a.Bias.Span();
        var H = a.Hidden.Span();
        var C = a.Cell.Span();
        var gates = a.Gates.Span();
        int[]? lengths = a.Lengths?.Data();
        var z = new float[G];
        for (int t = 0; t < a.Steps; t++)
            for (int b = 0; b < B; b++)
            {
                var hOut = H.Slice((t * B + b) * U, U);
                var cOut = C.Slice((t * B + b) * U, U);
                var gOut = gates.Slice((t * B + b) * G, G);
                if (lengths != null && t >= lengths[b])
                {
                    // Past the sequence's end its state carries over unchanged (Keras masking).
                    if (t == 0) { hOut.Clear(); cOut.Clear(); }
                    else { H.Slice(((t - 1) * B + b) * U, U).CopyTo(hOut); C.Slice(((t - 1) * B + b) * U, U).CopyTo(cOut); }
                    gOut.Clear();
                    continue;
                }
                var xrow = xp.Slice(t * a.InputProjectionStepStride + b * G, G);
                for (int j = 0; j < G; j++) z[j] = xrow[j] + bias[j];
                if (t > 0)
                {
                    var hPrev = H.Slice(((t - 1) * B + b) * U, U);
                    for (int p = 0; p < U; p++)
                    {
                        float hv = hPrev[p];
                        for (int j = 0; j < G; j++) z[j] += hv * rk[p * G + j];
                    }
                }
                for (int u = 0; u < U; u++)
                {
                    float i = Activations.Sigmoid(z[u]);
                    float f = Activations.Sigmoid(z[U + u]);
                    float g = Activations.Tanh(z[2 * U + u]);
                    float o = Activations.Sigmoid(z[3 * U + u]);
                    float cPrev = t > 0 ? C[((t - 1) * B + b) * U + u] : 0f;
                    float c = f * cPrev + i * g;
                    cOut[u] = c;
                    hOut[u] = o * Activations.Tanh(c);
                    gOut[u] = i; gOut[U + u] = f; gOut[2 * U + u] = g; gOut[3 * U + u] = o;
                }
            }
    }

    public void LstmBackward(in LstmBackwardArgs a)
    {
        int B = a.Batch, U = a.Units, G = 4 * U;
        var rk = a.RecurrentKernel.Span();
        var H = a.Hidden.Span();
        var C = a.Cell.Span();
        var gates = a.Gates.Span();
        var dH = a.HiddenGradient.Span();
        var dC = a.CellGradientScratch.Span();
        var dZ = a.GateGradient.Span();
        var dRk = a.RecurrentKernelGradient.Span();
        var dBias = a.BiasGradient.Span();
        int[]? lengths = a.Lengths?.Data();
        dC.Slice(0, B * U).Clear();
        for (int t = a.Steps - 1; t >= 0; t--)
        {
            for (int b = 0; b < B; b++)
            {
                var dh = dH.Slice((t * B + b) * U, U);
                var dc = dC.Slice(b * U, U);
                var dz = dZ.Slice((t * B + b) * G, G);
                if (lengths != null && t >= lengths[b])
                {
                    // The state was copied forward: its gradient flows straight back to step t-1.
                    dz.Clear();
                    if (t > 0)
                    {
                        var dhPrev = dH.Slice(((t - 1) * B + b) * U, U);
                        for (int u = 0; u < U; u++) dhPrev[u] += dh[u];
                    }
                    continue;
                }
                var g4 = gates.Slice((t * B + b) * G, G);
                for (int u = 0; u < U; u++)
                {
                    float i = g4[u], f = g4[U + u], g = g4[2 * U + u], o = g4[3 * U + u];
                    float c = C[(t * B + b) * U + u];
                    float tc = Activations.Tanh(c);
                    float cPrev = t > 0 ? C[((t - 1) * B + b) * U + u] : 0f;
                    float dcTotal = dc[u] + dh[u] * o * (1 - tc * tc);
                    dz[u] = dcTotal * g * i * (1 - i);
                    dz[U + u] = dcTotal * cPrev * f * (1 - f);
                    dz[2 * U + u] = dcTotal * i * (1 - g * g);
                    dz[3 * U + u] = dh[u] * tc * o * (1 - o);
                    dc[u] = dcTotal * f;
                }
                if (t > 0)
                {
                    var dhPrev = dH.Slice(((t - 1) * B + b) * U, U);
                    var hPrev = H.Slice(((t - 1) * B + b) * U, U);
                    for (int p = 0; p < U; p++)
                    {
                        float s = 0, hv = hPrev[p];
                        for (int j = 0; j < G; j++)
                        {
                            s += dz[j] * rk[p * G + j];
                            dRk[p * G + j] += hv * dz[j];
                        }
                        dhPrev[p] += s;
                    }
                }
                for (int j = 0; j < G; j++) dBias[j] += dz[j];
            }
        }
    }

    public void HeadForward(OutputHead head, Slice logits, Slice bias, int rows, int cols, Slice output) =>
        CpuHeads.Forward(head, logits.Span(), bias.Span(), rows, cols, output.Span());

    public void HeadLossAndGradient(in HeadLossArgs a)
    {
        int rows = a.Steps * a.Batch;
        var gradient = a.LogitGradient.IsEmpty ? Span<float>.Empty : a.LogitGradient.Span();
        double sum = CpuHeads.LossRows(a, a.Output.Span(), a.Targets.Span(), a.Lengths?.Data(), gradient, 0, rows);
        var loss = a.Loss.Span();
        loss[0] = (float)((a.AccumulateLoss ? loss[0] : 0) + a.Scale * sum);
    }

    public void Adam(Slice parameters, Slice gradients, Slice firstMoment, Slice secondMoment, AdamStep step)
    {
        var w = parameters.Span();
        var g = gradients.Span();
        var m = firstMoment.Span();
        var v = secondMoment.Span();
        float a = step.StepSize, b1 = step.Beta1, b2 = step.Beta2, eps = step.Epsilon;
        for (int i = 0; i < w.Length; i++)
        {
            m[i] = b1 * m[i] + (1 - b1) * g[i];
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
            w[i] -= a * m[i] / (MathF.Sqrt(v[i]) + eps);
        }
    }
}

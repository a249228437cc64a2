namespace RecurrentAE.Kernels;

/// <summary>
/// The kernel contract shared by every backend (see docs/design.md). Coarse enough that a backend can fuse
/// what it likes, fine enough that the model layer still expresses the network. All tensors are float32,
/// row-major, and activations are time-major: (steps, batch, features).
/// Calls are ordered as issued; results are visible to the host after <see cref="Download"/> or <see cref="Synchronize"/>.
/// </summary>
public interface IComputeBackend : IDisposable
{
    /// <summary>The accelerator's flag name: cpu, ilgpu-cpu, cuda or opencl.</summary>
    string Name { get; }

    /// <summary>A human description of the device (name, memory, threads).</summary>
    string Description { get; }

    /// <summary>A zero-filled float array.</summary>
    DeviceArray Allocate(int length);

    /// <summary>A zero-filled int array.</summary>
    DeviceIndexArray AllocateIndices(int length);

    /// <summary>Copies host floats into <paramref name="destination"/> (same length).</summary>
    void Upload(ReadOnlySpan<float> source, Slice destination);

    /// <summary>
    /// Read-only resident data held once: the CPU backend uses <paramref name="values"/> itself (pinned while the array
    /// lives, no copy), a GPU backend allocates and uploads it. Ops may only read the result, and the caller must not
    /// change <paramref name="values"/> while it lives. For training data, which would otherwise exist twice in RAM.
    /// </summary>
    DeviceArray Adopt(float[] values);
    /// <summary>Copies host ints into <paramref name="destination"/> from <paramref name="offset"/> on.</summary>
    void UploadIndices(ReadOnlySpan<int> source, DeviceIndexArray destination, int offset = 0);

    /// <summary>Waits for the issued calls and copies <paramref name="source"/> to the host.</summary>
    void Download(Slice source, Span<float> destination);

    /// <summary>Sets every float of <paramref name="destination"/> to <paramref name="value"/>.</summary>
    void Fill(Slice destination, float value);

    /// <summary>Copies one slice into another of the same length (they must not overlap).</summary>
    void Copy(Slice source, Slice destination);

    /// <summary>Waits until every issued call has finished.</summary>
    void Synchronize();

    /// <summary>C = alpha * op(A) op(B) + beta * C, with op(A) m x k and op(B) k x n; lda, ldb, ldc are the row strides as stored.
    /// beta = 0 overwrites C (NaNs in C do not propagate).</summary>
    void Gemm(Transpose transA, Transpose transB, int m, int n, int k,
        float alpha, Slice a, int lda, Slice b, int ldb, float beta, Slice c, int ldc);

    /// <summary>sums[j] (+)= sum_i x[i * cols + j]: bias gradients and the RepeatVector backward (sum over steps).</summary>
    void ColumnSum(Slice x, int rows, int cols, Slice sums, bool accumulate);

    /// <summary>A dense layer's parameter gradients over a time-major batch: kernel += x^T dy and (when given) bias +=
    /// sum dy, summed over the steps and rows in <see cref="BatchReduction"/>'s order on the CPU backend (see
    /// <see cref="DenseGradientArgs"/>).</summary>
    void DenseGradient(in DenseGradientArgs args);

    /// <summary>y[r, c] = x[r, c] * scales[r] for rows x cols, row-major and dense; y may be x (in place). A scale of 0 blanks
    /// its row: the teacher-forced decoder's input dropout.</summary>
    void ScaleRows(Slice x, int rows, int cols, Slice scales, Slice y);

    /// <summary>Gathers items of a resident data set into a time-major batch: with i = indices[start + b],
    /// x[t, b, f] = data[min(i * ItemStride, MaxOffset) + First + t * StepStride + f] for t &lt; layout.Steps, f &lt; layout.Features
    /// (see <see cref="GatherLayout"/>: sequences stored one after another, or overlapping windows of one series, either way round).</summary>
    void GatherSequences(Slice data, GatherLayout layout, DeviceIndexArray indices, int start, int batch, Slice x);

    /// <summary>The LSTM layer forward over all steps (see <see cref="LstmForwardArgs"/>).</summary>
    void LstmForward(in LstmForwardArgs args);

    /// <summary>The LSTM layer backward over all steps (see <see cref="LstmBackwardArgs"/>).</summary>
    void LstmBackward(in LstmBackwardArgs args);

    /// <summary>The output head at every row: output[r, j] = act(logits[r, j] + bias[j]) for rows x cols; softmax is over a
    /// row, computed stably (max subtracted before exp).</summary>
    void HeadForward(OutputHead head, Slice logits, Slice bias, int rows, int cols, Slice output);

    /// <summary>The head's loss, reduced on the device, and its fused gradient (see <see cref="HeadLossArgs"/>).</summary>
    void HeadLossAndGradient(in HeadLossArgs args);

    /// <summary>One Adam update of a flat parameter buffer in one launch (see <see cref="AdamStep"/>).</summary>
    void Adam(Slice parameters, Slice gradients, Slice firstMoment, Slice secondMoment, AdamStep step);

    /// <summary>sumOfSquares[0] = sum_i x[i]^2 over the whole slice: the squared global norm of a flat gradient buffer,
    /// the first half of clipping by global norm. Deterministic (a fixed order that does not depend on threads), with
    /// float64 accumulation on the CPU and a per-thread compensated sum and a pairwise tree on ILGPU. An empty x gives 0.</summary>
    void SumOfSquares(Slice x, Slice sumOfSquares);

    /// <summary>x[i] *= maxNorm / max(sqrt(sumOfSquares[0]), maxNorm): the second half of clipping by global norm (Keras
    /// <c>global_clipnorm</c>, i.e. <c>tf.clip_by_global_norm</c>). The factor is read on the device, so clipping needs no
    /// round-trip to the host; it is exactly 1 (x unchanged) when the norm is at most maxNorm.</summary>
    void ClipByGlobalNorm(Slice x, Slice sumOfSquares, float maxNorm);

    // ---- Denoising, sparse and variational autoencoders (issue 15): inputs corrupted in training, the reparameterisation
    // and its KL term, the sparsity penalties. Draws come from counter-based streams (CounterKey), so a resumed run repeats them.

    /// <summary>Denoising's input corruption (training only): y[i] = x[i] * keep_i / (1 - dropout) + noiseStd * z_i for
    /// i &lt; count, with keep_i = 0 when uniform draw i of <paramref name="dropoutKey"/> is below dropout (else 1; Keras
    /// Dropout, kept values rescaled) and z_i draw i of <paramref name="noiseKey"/> (<see cref="CounterRandom.Gaussian"/>;
    /// Keras GaussianNoise). Forward only: the data gets no gradient. y may not be x.</summary>
    void CorruptInputs(Slice x, int count, float noiseStd, float dropout, CounterKey noiseKey, CounterKey dropoutKey, Slice y);

    /// <summary>The reparameterisation (Kingma and Welling 2014): coding[i] = mean[i] + exp(logVar[i] / 2) * eps_i for
    /// i &lt; count, eps_i = <see cref="CounterRandom.Gaussian"/>(key, i).</summary>
    void Reparameterize(Slice mean, Slice logVar, int count, CounterKey key, Slice coding);

    /// <summary>The reparameterisation's backward, eps redrawn from the key: meanGradient[i] = codingGradient[i],
    /// logVarGradient[i] = codingGradient[i] * exp(logVar[i] / 2) * eps_i / 2 (both overwritten).</summary>
    void ReparameterizeBackward(Slice logVar, Slice codingGradient, int count, CounterKey key, Slice meanGradient, Slice logVarGradient);

    /// <summary>The KL divergence of N(mean, exp(logVar)) to N(0, I) (Kingma and Welling 2014, appendix B), reduced on the
    /// device: loss[0] (+)= scale * sum_i -0.5 (1 + logVar[i] - mean[i]^2 - exp(logVar[i])) over i &lt; count.
    /// Deterministic (a fixed order).</summary>
    void KlDivergence(Slice mean, Slice logVar, int count, float scale, Slice loss, bool accumulate);

    /// <summary>The KL term's gradient, added: meanGradient[i] += scale * mean[i], logVarGradient[i] += scale * (exp(logVar[i]) - 1) / 2.</summary>
    void KlDivergenceBackward(Slice mean, Slice logVar, int count, float scale, Slice meanGradient, Slice logVarGradient);

    /// <summary>The sparsity penalties of sigmoid codings (rows x cols, a coding a row; see <see cref="SparsityPenalty"/>),
    /// reduced on the device: loss[0] (+)= W sum_j [P ln(P / q_j) + (1 - P) ln((1 - P) / (1 - q_j))] + L1 sum |c| / rows,
    /// q_j = mean_r coding[r, j] clamped to [Floor, 1 - Floor]. Deterministic.</summary>
    void SparsityPenalty(Slice coding, int rows, int cols, SparsityPenalty penalty, Slice loss, bool accumulate);

    /// <summary>The gradient through the penalties and the sigmoid, overwriting logitGradient: with g = codingGradient[r, j]
    /// + W (-P / q_j + (1 - P) / (1 - q_j)) / rows + L1 sign(c) / rows, logitGradient[r, j] = g c (1 - c), c = coding[r, j]
    /// (the clamp's derivative is taken as 1). With W = L1 = 0 it is the plain sigmoid backward.</summary>
    void SparsityBackward(Slice coding, Slice codingGradient, int rows, int cols, SparsityPenalty penalty, Slice logitGradient);
}

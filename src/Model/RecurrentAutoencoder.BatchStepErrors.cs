using RecurrentAE.Kernels;

namespace RecurrentAE.Model;

/// <summary>Per-step reconstruction errors of a resident data set, streamed a batch at a time: what scores the windows of a
/// long series without ever holding all windows' reconstructions.</summary>
public sealed partial class RecurrentAutoencoder
{
    /// <summary>
    /// Every item of <paramref name="data"/> in order, encoded and decoded (greedily for a teacher-forced model); for each
    /// batch, calls <paramref name="onBatch"/>(first item, batch, errors) with errors[b * Steps + t] = the element loss at
    /// step t of item first + b, averaged over features (summed for softmax, as in <see cref="SequenceErrors"/>), in the
    /// input's step order (a reversed decoder's output is mapped back); steps past an item's length are 0. The errors
    /// buffer is reused between calls.
    /// </summary>
    public void ForEachBatchStepErrors(DeviceDataset data, Action<int, int, float[]> onBatch, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(onBatch);
        CheckFeatures(data.Features);
        batchSize = Math.Clamp(batchSize, 1, _maxBatch);
        int steps = data.Steps, f = Spec.Features;
        var errors = new float[batchSize * steps];
        for (int start = 0; start < data.Count; start += batchSize)
        {
            int batch = Math.Min(batchSize, data.Count - start);
            var (x, lengths, _, _) = Prepare(data, data.Identity, start, batch);
            var target = Target(data, data.Identity, start, batch, x);
            EncodeBatch(x, steps, batch, lengths);
            DecodeForInference(CodingOf(steps, batch), steps, batch);
            var output = Download(_head.Output.Sub(0, steps * batch * f));
            var expected = Download(target);
            Array.Clear(errors);
            for (int b = 0; b < batch; b++)
            {
                int len = data.LengthOf(start + b);
                for (int t = 0; t < len; t++)
                {
                    int o = (t * batch + b) * f;
                    int step = Spec.ReverseOutput ? len - 1 - t : t;
                    errors[b * steps + step] = (float)ReconstructionLoss.Step(Spec.Head, output.AsSpan(o, f), expected.AsSpan(o, f));
                }
            }
            onBatch(start, batch, errors);
        }
    }
}

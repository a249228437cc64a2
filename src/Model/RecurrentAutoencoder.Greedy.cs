using RecurrentAE.Kernels;
using RecurrentAE.Model.Layers;
using RecurrentAE.Model.Text;

namespace RecurrentAE.Model;

/// <summary>
/// Greedy decoding of a teacher-forced model: one step at a time, every decoder layer continuing from its own state at
/// the step before, the first fed [coding ; the model's own previous output]: for the softmax head the one-hot of the
/// argmax (the first index wins a tie; found on the host, batch x features floats a step), for sigmoid and linear heads
/// the output values themselves. Inference only.
/// </summary>
public sealed partial class RecurrentAutoencoder
{
    private GrowableBuffer? _feedback;

    /// <summary>The decoder's outputs for <paramref name="steps"/> steps into the head's Output, (steps, batch, features),
    /// in the model's own (possibly reversed) order.</summary>
    private void DecodeGreedy(Slice coding, int steps, int batch)
    {
        var conditioned = _conditioned ?? throw new InvalidOperationException("greedy decoding needs a teacher-forced model");
        var p = _parameters.All;
        int rows = batch * Spec.Features;
        conditioned.BeginSteps(p, coding, steps, batch);
        for (int l = 1; l < _decoder.Length; l++) _decoder[l].Prepare(steps, batch);
        _head.Prepare(steps * batch);
        bool argmax = Spec.Head == OutputHead.Softmax;
        var oneHot = argmax ? (_feedback ??= new GrowableBuffer(Backend)).Get(rows) : default;
        var host = argmax ? new float[rows] : null;
        Slice previous = default;
        for (int t = 0; t < steps; t++)
        {
            conditioned.ForwardStep(p, previous, t);
            for (int l = 1; l < _decoder.Length; l++) _decoder[l].ForwardStep(p, StepOf(_decoder[l - 1], t, batch), t);
            _head.ForwardRows(p, StepOf(_decoder[^1], t, batch), t * batch, batch);
            if (t == steps - 1) break;
            previous = _head.Output.Sub(t * rows, rows);
            if (host is null) continue;
            Backend.Download(previous, host);
            ArgmaxOneHot(host, batch, Spec.Features);
            Backend.Upload(host, oneHot);
            previous = oneHot;
        }
    }

    private static Slice StepOf(LstmLayer layer, int t, int batch) => layer.Hidden.Sub(t * batch * layer.Units, batch * layer.Units);

    /// <summary>Each row of (rows, features) replaced by the one-hot of its largest value (the first wins a tie).</summary>
    internal static void ArgmaxOneHot(Span<float> values, int rows, int features)
    {
        for (int r = 0; r < rows; r++)
        {
            var row = values.Slice(r * features, features);
            int best = OneHot.IndexOfMax(row);
            row.Clear();
            row[best] = 1f;
        }
    }

    /// <summary>The teacher-forced decoder's outputs for codings (count, coding) fed <paramref name="targets"/> (count, steps,
    /// features) one step late, both batch-major in the model's own order: what training sees (tests compare it with
    /// greedy decoding fed its own outputs).</summary>
    internal float[] DecodeTeacherForced(ReadOnlySpan<float> codings, int count, ReadOnlySpan<float> targets, int steps)
    {
        if (_conditioned is null) throw new InvalidOperationException("teacher-forced decoding needs a teacher-forced model");
        int coding = Spec.CodingSize, f = Spec.Features;
        if (count < 1 || count > _maxBatch) throw new ArgumentOutOfRangeException(nameof(count), $"{count} is outside 1..{_maxBatch}");
        if (codings.Length != count * coding || targets.Length != count * steps * f) throw new ArgumentException("codings or targets of the wrong size");
        var c = _codings.Get(count * coding);
        Backend.Upload(codings, c);
        var timeMajor = new float[targets.Length];
        for (int b = 0; b < count; b++)
            for (int t = 0; t < steps; t++)
                targets.Slice((b * steps + t) * f, f).CopyTo(timeMajor.AsSpan((t * count + b) * f, f));
        var y = _input.Get(timeMajor.Length);
        Backend.Upload(timeMajor, y);
        DecodeBatch(c, y, steps, count);
        var result = new float[count * steps * f];
        CopyToBatchMajor(_head.Output, steps, count, result, 0);
        return result;
    }
}

using RecurrentAE.Model.Training;

namespace RecurrentAE.Model;

/// <summary>
/// Input dropout of a teacher-forced decoder (Bowman et al. 2016, "Generating Sentences from a Continuous Space", word
/// dropout): in a training step each previous-step input y_{t-1}, per step and per sequence, is replaced with
/// probability <see cref="TeacherForcingDropout"/> by zeros, the "nothing known" input of the first step, so the decoder
/// learns to lean on the coding and to recover from a wrong previous symbol. No rescaling; Evaluate, Reconstruct and
/// greedy decoding see every input. The draws are a counter-based hash of (the model's seed, the Adam step about to be
/// taken, the row), not a stateful generator: a run repeats, and a resumed run (its Adam step restored) draws what an
/// uninterrupted one would, with nothing allocated per step once the host mask has grown to the largest batch.
/// </summary>
public sealed partial class RecurrentAutoencoder
{
    private float _teacherForcingDropout;
    private float[] _hostScales = [];

    /// <summary>The probability, in [0, 1], that a training step blanks a teacher-forced previous step (0: off, the
    /// default). A training setting (kept in <see cref="TrainingOptions"/>), not part of the spec; only for teacher-forced models.</summary>
    public float TeacherForcingDropout
    {
        get => _teacherForcingDropout;
        set
        {
            if (!(value >= 0 && value <= 1)) throw new ArgumentOutOfRangeException(nameof(value), $"teacher-forcing dropout must be in [0, 1], not {value}");
            if (value > 0 && _conditioned is null) throw new InvalidOperationException("teacher-forcing dropout needs a teacher-forced decoder");
            _teacherForcingDropout = value;
        }
    }

    /// <summary>Test hook: called with each training step's mask, (steps - 1) x batch scales (row (t - 1) * batch + b is
    /// y_{t-1} of sequence b), after it is drawn and before it is used; it may read or overwrite it.</summary>
    internal Action<Span<float>, int, int>? TeacherForcingMaskHook { get; set; }

    /// <summary>The scales of this training step's previous-step rows, or empty when dropout is off (the unscaled path).</summary>
    private Span<float> PreviousStepScales(int steps, int batch)
    {
        if (_conditioned is null || _teacherForcingDropout == 0 || steps < 2) return default;
        int rows = (steps - 1) * batch;
        if (_hostScales.Length < rows) _hostScales = new float[rows];
        var scales = _hostScales.AsSpan(0, rows);
        if (_dropoutShard is { } shard) DrawShardMask(scales, steps - 1, batch, shard);
        else DrawMask(scales, DrawSeed, _adam.Step, _teacherForcingDropout);
        TeacherForcingMaskHook?.Invoke(scales, steps - 1, batch);
        return scales;
    }

    /// <summary>scales[i] = 0 with probability p, else 1: a uniform 24-bit draw per row from SplitMix64 of (seed, step, i).</summary>
    internal static void DrawMask(Span<float> scales, int seed, int step, float p)
    {
        ulong key = Mix(((ulong)(uint)seed << 32 | (uint)step) ^ 0x7466_6472_6F70_0001UL); // "tfdrop"
        for (int i = 0; i < scales.Length; i++)
        {
            double u = (Mix(key + (ulong)i * 0x9E37_79B9_7F4A_7C15UL) >> 40) * (1.0 / (1 << 24));
            scales[i] = u < p ? 0f : 1f;
        }
    }

    /// <summary>SplitMix64's finaliser (Steele et al. 2014): the counter-based hash behind every random draw of training.</summary>
    internal static ulong Mix(ulong z)
    {
        z += 0x9E37_79B9_7F4A_7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return z ^ (z >> 31);
    }
}

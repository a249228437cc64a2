using System.Text.Json.Serialization;

namespace RecurrentAE.Runner.Training;

/// <summary>
/// What <c>rae train --resume</c> may change. As a Keras user continuing <c>fit</c> expects: the epoch cap (except under
/// a cosine schedule, which decays over it), the time limit and the early-stopping patience (while early stopping is on)
/// may change; everything that shaped the steps taken so far (batch, seed, learning rate and schedule, warm-up,
/// clipping, dropout, what counts as an improvement, the architecture) may not. Each refusal is one line.
/// </summary>
internal static class ResumeChecks
{
    /// <summary>The options of a resumed run: the checkpoint's, with the changes the flags may make.</summary>
    public static TrainingOptions Options(Checkpoint resumed, TrainingOverrides given, TrainingFlags flags)
    {
        if (resumed.Options is null || resumed.Position is null || !resumed.HasOptimizerState)
            throw new DataFormatException($"{resumed.Path}: holds no training state (options, position, Adam moments); cannot resume");
        var stored = resumed.Options;
        var merged = given.Over(stored);
        foreach (var property in typeof(TrainingOptions).GetProperties())
        {
            if (property.IsDefined(typeof(JsonIgnoreAttribute), inherit: false) || property.GetIndexParameters().Length > 0) continue;
            object? before = property.GetValue(stored), after = property.GetValue(merged);
            if (Equals(before, after)) continue;
            string flag = flags.FlagOf(property.Name);
            switch (property.Name)
            {
                case nameof(TrainingOptions.TimeLimit):
                    continue;
                case nameof(TrainingOptions.Epochs) when stored.Schedule == LearningRateSchedule.Cosine:
                    throw new UsageException($"--epochs cannot change when resuming a run with --lr-schedule cosine (its rate decays over the {stored.Epochs}-epoch cap)");
                case nameof(TrainingOptions.Epochs):
                    continue;
                case nameof(TrainingOptions.EarlyStoppingPatience) when before is not null && after is not null:
                    continue;
                case nameof(TrainingOptions.EarlyStoppingPatience):
                    throw new UsageException($"--early-stopping cannot be turned {(before is null ? "on" : "off")} when resuming (the run {(before is null ? "kept no best weights" : "stopped on its best weights")}); only its patience can change");
                default:
                    throw new UsageException($"{flag} cannot change when resuming (the checkpoint was trained with {Show(before)}); only --epochs, --time-limit and the --early-stopping patience can");
            }
        }
        return merged;
    }

    /// <summary>The architecture flags must match the checkpoint's spec.</summary>
    public static void Architecture(AutoencoderSpec stored, int[]? encoder, int[]? decoder, bool? reverse, bool? teacherForcing)
    {
        if ((encoder is not null && !encoder.SequenceEqual(stored.EncoderUnits)) || (decoder is not null && !decoder.SequenceEqual(stored.DecoderUnits)))
            throw new UsageException("--encoder and --decoder cannot change when resuming");
        if (reverse is bool r && r != stored.ReverseOutput) throw new UsageException("--decode-order cannot change when resuming");
        if (teacherForcing is bool tf && tf != stored.TeacherForcing)
            throw new UsageException($"--{(tf ? "" : "no-")}teacher-forcing cannot change when resuming");
    }

    static string Show(object? value) => value switch
    {
        null => "none",
        float f => f.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString(CultureInfo.InvariantCulture),
        TimeSpan t => Durations.Format(t),
        LearningRateSchedule s => s.ToString().ToLowerInvariant(),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}

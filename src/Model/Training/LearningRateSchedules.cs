
namespace RecurrentAE.Model.Training;

/// <summary>
/// The learning rate of every step, computed in this one place from (the step, the options, the plateau state), and the
/// state of the loss monitor that early stopping and the plateau schedule share. Both states are replayed from the
/// epoch history, so a resumed run needs nothing stored beyond its history to continue exactly.
/// </summary>
public static class LearningRateSchedules
{
    /// <summary>
    /// The rate of global step <paramref name="step"/> (0-based over the whole run; <paramref name="stepsPerEpoch"/> a
    /// epoch) with <paramref name="plateauReductions"/> reductions so far. With base rate b, floor f = <see cref="TrainingOptions.LearningRateFloor"/>,
    /// warm-up W and T = epochs x steps per epoch:
    /// constant: b; cosine: f + (b - f) (1 + cos(pi p)) / 2 with p = (step - W) / (T - W) clamped to [0, 1];
    /// plateau: max(b factor^k, f) after k reductions (Keras <c>ReduceLROnPlateau</c>). During the warm-up (step &lt; W)
    /// the rate is multiplied by (step + 1) / W.
    /// </summary>
    public static float Rate(TrainingOptions options, long step, int stepsPerEpoch, int plateauReductions)
    {
        double b = options.LearningRate, f = options.LearningRateFloor;
        int warmup = options.WarmupSteps;
        double rate = options.Schedule switch
        {
            LearningRateSchedule.Cosine => Cosine(b, f, step - warmup, (long)options.Epochs * stepsPerEpoch - warmup),
            LearningRateSchedule.Plateau => Math.Max(b * Math.Pow(options.PlateauFactor, plateauReductions), f),
            _ => b,
        };
        if (step < warmup) rate *= (step + 1) / (double)warmup;
        return (float)rate;
    }

    static double Cosine(double b, double f, long step, long steps)
    {
        double p = steps <= 0 ? 1 : Math.Clamp(step / (double)steps, 0, 1);
        return f + (b - f) * 0.5 * (1 + Math.Cos(Math.PI * p));
    }

    /// <summary>The monitored loss of an epoch: val_loss, or the training loss when there is no validation set.</summary>
    public static double Monitored(EpochResult epoch) => double.IsNaN(epoch.ValLoss) ? epoch.Loss : epoch.ValLoss;

    /// <summary>Keras's test (<c>EarlyStopping</c>, <c>ReduceLROnPlateau</c>, mode min): an improvement is a value below
    /// the best by more than <paramref name="minDelta"/>; NaN never improves.</summary>
    public static bool Improves(double value, double best, double minDelta) => value < best - minDelta;

    /// <summary>The best epoch (1-based, 0 before any), its monitored loss, and the epochs since it.</summary>
    public static MonitorState Monitor(IReadOnlyList<EpochResult> history, double minDelta)
    {
        var state = new MonitorState(0, double.PositiveInfinity, 0);
        foreach (var h in history)
        {
            double v = Monitored(h);
            state = Improves(v, state.Best, minDelta) ? new MonitorState(h.Epoch, v, 0) : state with { Wait = state.Wait + 1 };
        }
        return state;
    }

    /// <summary>How many times the plateau schedule has lowered the rate after <paramref name="history"/> (Keras
    /// <c>ReduceLROnPlateau</c> with cooldown 0: after patience epochs without improvement the rate drops, if above the
    /// floor, and the count of waiting epochs restarts).</summary>
    public static int PlateauReductions(TrainingOptions options, IReadOnlyList<EpochResult> history)
    {
        if (options.Schedule != LearningRateSchedule.Plateau) return 0;
        double best = double.PositiveInfinity;
        int wait = 0, reductions = 0;
        foreach (var h in history)
        {
            double v = Monitored(h);
            if (Improves(v, best, options.MinDelta)) { best = v; wait = 0; continue; }
            if (++wait < options.PlateauPatience) continue;
            if (Rate(options with { WarmupSteps = 0 }, 0, 1, reductions) > options.LearningRateFloor) { reductions++; wait = 0; }
        }
        return reductions;
    }
}

/// <summary>The loss monitor after some epochs: the best epoch (1-based; 0 before any), its monitored loss, and how
/// many epochs have passed without improvement since.</summary>
public readonly record struct MonitorState(int BestEpoch, double Best, int Wait);

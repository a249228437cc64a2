using System.Diagnostics;

namespace RecurrentAE.Runner.Output;

/// <summary>
/// Keras-like progress: <c>Epoch 3/10</c>, then on a terminal a live bar with the running loss, and at the end of each
/// epoch <c>1719/1719 - 12s - 7ms/step - loss: 0.2943 - val_loss: 0.2896 - lr: 1.0e-03 - best: epoch 3</c>. When the output is redirected only the
/// epoch lines are written (no carriage returns).
/// </summary>
internal sealed class TrainingProgress(TextWriter output, bool live, int epochs, int stepsPerEpoch)
{
    const int BarWidth = 30;
    readonly Stopwatch _sinceDraw = new();
    readonly Stopwatch _epochClock = new();
    int _epoch = -1, _firstStep, _lastWidth;

    public void OnStep(int epoch, int step, int steps, double runningLoss)
    {
        if (epoch != _epoch) BeginEpoch(epoch, step);
        if (!live) return;
        if (step != steps && _sinceDraw.IsRunning && _sinceDraw.ElapsedMilliseconds < 100) return;
        _sinceDraw.Restart();
        int done = Math.Clamp(step * BarWidth / Math.Max(1, steps), 0, BarWidth);
        string bar = done >= BarWidth ? new string('=', BarWidth) : new string('=', done) + ">" + new string('.', BarWidth - done - 1);
        double perStep = _epochClock.Elapsed.TotalSeconds / Math.Max(1, step - _firstStep + 1);
        string eta = FormatSeconds(perStep * (steps - step));
        string width = steps.ToString(CultureInfo.InvariantCulture);
        Draw(string.Create(CultureInfo.InvariantCulture, $"{step.ToString(CultureInfo.InvariantCulture).PadLeft(width.Length)}/{steps} [{bar}] - ETA: {eta} - loss: {runningLoss:F4}"));
    }

    /// <summary>The epoch's line: time, loss, val_loss, the learning rate of its last step, and the best epoch so far
    /// (<paramref name="monitor"/>: val_loss, or loss with nothing held out).</summary>
    public void OnEpoch(EpochResult r, MonitorState monitor)
    {
        if (r.Epoch != _epoch) BeginEpoch(r.Epoch, stepsPerEpoch);
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{stepsPerEpoch}/{stepsPerEpoch} - {Math.Round(r.Seconds):F0}s - {Math.Round(r.MsPerStep):F0}ms/step - loss: {r.Loss:F4} - val_loss: {r.ValLoss:F4} - lr: {r.LearningRate:0.0##e+00} - best: epoch {monitor.BestEpoch}");
        if (live) { Draw(line); output.WriteLine(); _lastWidth = 0; }
        else output.WriteLine(line);
        output.Flush();
    }

    /// <summary>Ends a half-drawn bar line (before an interruption or error message).</summary>
    public void Break()
    {
        if (live && _lastWidth > 0) { output.WriteLine(); _lastWidth = 0; output.Flush(); }
    }

    void BeginEpoch(int epoch, int firstStep)
    {
        Break();
        _epoch = epoch;
        _firstStep = firstStep;
        _epochClock.Restart();
        _sinceDraw.Reset();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Epoch {epoch}/{epochs}"));
        output.Flush();
    }

    void Draw(string text)
    {
        output.Write('\r');
        output.Write(text);
        if (_lastWidth > text.Length) output.Write(new string(' ', _lastWidth - text.Length));
        _lastWidth = text.Length;
        output.Flush();
    }

    static string FormatSeconds(double s)
    {
        if (!double.IsFinite(s) || s < 0) return "?";
        var t = TimeSpan.FromSeconds(Math.Round(s));
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}" : t.TotalMinutes >= 1 ? $"{t.Minutes}:{t.Seconds:00}" : $"{t.Seconds}s";
    }
}

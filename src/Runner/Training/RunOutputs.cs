using RecurrentAE.Runner.Commands;
using RecurrentAE.Runner.DataSources;
using RecurrentAE.Runner.Output;
using RecurrentAE.Rendering;

namespace RecurrentAE.Runner.Training;

/// <summary>What <c>rae train</c> writes and says when training ends (the epoch cap, early stopping or the time limit):
/// the anomaly threshold, the checkpoint, the history, loss.png and the reconstructions, why it stopped, and the final figures.</summary>
internal static class RunOutputs
{
    /// <summary>Writes every output of a finished (or time-limited) run with the weights the model now holds.</summary>
    public static void Write(TextWriter o, RecurrentAutoencoder model, TrainingData dataset, Trainer trainer, string outDir,
        Action<DataInfo> saveCheckpoint)
    {
        var info = dataset.Info;
        var spec = model.Spec;
        if (!info.IsFashionMnist)
        {
            // What 'rae score' flags: scores above the threshold rule's percentile of the training scores.
            info = info with { Threshold = dataset.ThresholdOf(model) };
        }
        saveCheckpoint(info);
        var history = trainer.History;
        History.Write(outDir, history);
        LossPlot.Write(history, Path.Combine(outDir, "loss.png"), LossPlot.LossName(spec.Head));
        if (info.IsText)
            TextRun.Finish(o, model, dataset, outDir);
        else if (info.IsFashionMnist)
            ReconstructionImage.Write(model, dataset.Valid, 5, Path.Combine(outDir, "reconstructions.png"));
        else
            SeriesPlot.WriteReconstructions(model, dataset.PlotSample, info, 4, Path.Combine(outDir, "reconstructions.png"));
        o.WriteLine(WhyStopped(trainer, outDir));
        if (history.Count > 0)
        {
            var last = history[^1];
            var best = trainer.Options.EarlyStoppingPatience is null ? null : history.FirstOrDefault(h => h.Epoch == trainer.Monitor.BestEpoch);
            o.WriteLine(best is null || best == last
                ? string.Create(CultureInfo.InvariantCulture, $"Final: loss {last.Loss:F4}, val_loss {last.ValLoss:F4}")
                : string.Create(CultureInfo.InvariantCulture, $"Final (the weights of epoch {best.Epoch}): loss {best.Loss:F4}, val_loss {best.ValLoss:F4}"));
        }
        if (info.Threshold is double threshold)
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Anomaly threshold ({dataset.ThresholdRule}): {threshold:G6}"));
        o.WriteLine($"Wrote {Checkpoint.FileName}, history.csv, history.json, loss.png and reconstructions.{(info.IsText ? "txt" : "png")} in {outDir}");
    }

    /// <summary>One line: why training stopped, which weights the model holds, and how to continue when it can.</summary>
    public static string WhyStopped(Trainer trainer, string outDir)
    {
        var o = trainer.Options;
        var m = trainer.Monitor;
        var pos = trainer.Position;
        string monitored = trainer.History.Count > 0 && double.IsNaN(trainer.History[^1].ValLoss) ? "loss" : "val_loss";
        string restored = trainer.LastWeights is not null
            ? string.Create(CultureInfo.InvariantCulture, $"; restored the weights of epoch {m.BestEpoch} (best {monitored} {m.Best:F4})")
            : o.EarlyStoppingPatience is not null && m.BestEpoch > 0 ? $"; the last epoch is the best ({monitored})" : "";
        return trainer.StopReason switch
        {
            StopReason.EarlyStopping => string.Create(CultureInfo.InvariantCulture,
                $"Stopped early at epoch {pos.Epoch}: {monitored} did not improve{(o.MinDelta > 0 ? $" by more than {o.MinDelta}" : "")} for {m.Wait} epochs{restored}"),
            StopReason.TimeLimit => string.Create(CultureInfo.InvariantCulture,
                $"Stopped at the time limit ({Durations.Format(o.TimeLimit!.Value)}) at epoch {pos.Epoch + (pos.Step > 0 ? 1 : 0)}{(pos.Step > 0 ? $" step {pos.Step}" : "")}{restored}; continue with: rae train --resume {outDir}"),
            StopReason.Cancelled => $"Interrupted at epoch {pos.Epoch + 1} step {pos.Step + 1}; continue with: rae train --resume {outDir}",
            _ => $"Stopped at the epoch cap ({o.Epochs} epochs){restored}",
        };
    }
}

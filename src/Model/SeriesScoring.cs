using RecurrentAE.Model.Analysis;
using RecurrentAE.Model.Data;

namespace RecurrentAE.Model;

/// <summary>Point scores of a long series (<see cref="PointScores"/>): its windows resident once on the device, their
/// per-step errors streamed a batch at a time into per-row sums.</summary>
public static class SeriesScoring
{
    /// <summary>The point score of every row of the segment <paramref name="windows"/> covers (in the model's space).</summary>
    public static double[] Score(RecurrentAutoencoder model, SeriesWindows windows, int smoothing)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(windows);
        var points = new PointScores(windows.Rows);
        int w = windows.Window;
        using var data = model.Upload(windows);
        model.ForEachBatchStepErrors(data, (first, batch, errors) =>
        {
            for (int b = 0; b < batch; b++) points.Add(windows.StartOf(first + b), errors.AsSpan(b * w, w));
        });
        return points.Scores(smoothing);
    }
}

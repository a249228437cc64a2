using RecurrentAE.Kernels.Cpu;
using RecurrentAE.Model.Checkpoints;

namespace RecurrentAE.Tests.Runner;

/// <summary>
/// One session of a run trained in sessions (the resume tests): the checkpoint at <c>path</c> when
/// <c>session</c> &gt; 0, loaded into a fresh model with other initial weights (all state must come from the
/// checkpoint), its data uploaded and a trainer resumed from it; the first session starts from <c>spec</c> and <c>options</c>.
/// </summary>
internal sealed class ResumedSession : IDisposable
{
    readonly DeviceDataset train, valid;

    public ResumedSession(CpuBackend backend, string path, int session, AutoencoderSpec spec, TrainingOptions options,
        SequenceDataset trainData, SequenceDataset validData)
    {
        var c = session == 0 ? null : Checkpoint.Load(path);
        Model = new RecurrentAutoencoder(backend, c?.Spec ?? spec, options.Seed + 1000 * session);
        train = Model.Upload(trainData);
        valid = Model.Upload(validData);
        Trainer = new Trainer(Model, train, valid, c?.Options ?? options);
        c?.ResumeInto(Model, Trainer);
    }

    /// <summary>
    /// Trains in sessions until the run is over: each session resumes the last one's checkpoint into a fresh model, stops
    /// after <paramref name="stepsPerSession"/> steps (by cancellation, or by the time limit of <paramref name="options"/>
    /// when <paramref name="byTimeLimit"/>) and saves a checkpoint. With <paramref name="fakeClock"/> the trainer's clock
    /// reads one second a step. <paramref name="unfinished"/> sees the trainer of each session that did not end the run;
    /// returns <paramref name="outcome"/> of the last session's model and trainer.
    /// </summary>
    public static T InSessions<T>(CpuBackend backend, AutoencoderSpec spec, TrainingOptions options, SequenceDataset trainData,
        SequenceDataset validData, int stepsPerSession, Func<RecurrentAutoencoder, Trainer, T> outcome,
        bool fakeClock = false, bool byTimeLimit = false, Action<Trainer>? unfinished = null)
    {
        var path = Path.Combine(TestIdx.TempDir(), Checkpoint.FileName);
        for (int session = 0; ; session++)
        {
            Assert.True(session < 100, "the run never finished");
            using var resumed = new ResumedSession(backend, path, session, spec, options, trainData, validData);
            var (model, trainer) = (resumed.Model, resumed.Trainer);
            int steps = 0;
            using var cts = new CancellationTokenSource();
            if (fakeClock) trainer.Clock = () => TimeSpan.FromSeconds(steps);
            trainer.StepCompleted = (_, _, _, _) => { if (++steps == stepsPerSession && !byTimeLimit) cts.Cancel(); };
            bool over = trainer.Run(cts.Token);
            Checkpoint.Save(path, model, trainer);
            if (over) return outcome(model, trainer);
            unfinished?.Invoke(trainer);
        }
    }

    public RecurrentAutoencoder Model { get; }
    public Trainer Trainer { get; }

    public void Dispose()
    {
        valid.Dispose();
        train.Dispose();
        Model.Dispose();
    }
}

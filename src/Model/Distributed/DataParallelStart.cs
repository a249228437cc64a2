using RecurrentAE.Model.Optimization;
using RecurrentAE.Model.Training;

namespace RecurrentAE.Model.Distributed;

/// <summary>What every rank must share before the first step of a data-parallel run (Horovod's
/// broadcast_parameters / broadcast_optimizer_state): rank 0's weights, Adam's step and moments, the position in the
/// run and, with early stopping, the best weights so far, so that a fresh or resumed run starts identically everywhere.</summary>
public static class DataParallelStart
{
    /// <summary>Broadcasts rank 0's training state into every rank's <paramref name="model"/> and <paramref name="trainer"/>; a no-op with one rank.</summary>
    public static void Synchronize(ICommunicator communicator, RecurrentAutoencoder model, Trainer trainer)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(trainer);
        if (communicator.Size == 1) return;
        var weights = model.GetParameters();
        communicator.Broadcast(weights);
        model.SetParameters(weights);

        var adam = model.GetOptimizerState();
        communicator.Broadcast(adam.FirstMoment);
        communicator.Broadcast(adam.SecondMoment);
        var p = trainer.Position;
        Span<double> scalars = [adam.Step, p.Epoch, p.Step, p.LossSum, p.LossCount, trainer.BestWeights is null ? 0 : 1];
        communicator.Broadcast(scalars);
        model.SetOptimizerState(new OptimizerState((int)scalars[0], adam.FirstMoment, adam.SecondMoment));
        trainer.Position = new TrainingPosition((int)scalars[1], (int)scalars[2], scalars[3], (int)scalars[4]);
        if (scalars[5] == 0)
        {
            trainer.BestWeights = null;
            return;
        }
        var best = trainer.BestWeights ?? new float[model.ParameterCount];
        communicator.Broadcast(best);
        trainer.BestWeights = best;
    }
}

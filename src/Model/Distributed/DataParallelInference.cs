namespace RecurrentAE.Model.Distributed;

/// <summary>Inference over many sequences split across ranks: each rank runs its <see cref="Shard"/> of the sequences
/// and the results are gathered, in input order, on every rank (rank 0 writes them). A sequence's result depends only on
/// the sequence, so the gathered result is what one process computes.</summary>
public static class DataParallelInference
{
    /// <summary><see cref="RecurrentAutoencoder.StepErrors"/> of every sequence, (count, steps), computed across the ranks.</summary>
    public static float[] StepErrors(RecurrentAutoencoder model, SequenceDataset data, ICommunicator communicator)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(communicator);
        if (communicator.Size == 1) return model.StepErrors(data);
        var shard = Shard.Of(data.Count, communicator.Rank, communicator.Size);
        var local = shard.Count > 0 ? model.StepErrors(data.Take(shard.Start, shard.Count)) : [];
        return communicator.GatherRows(local, data.Count, data.Steps);
    }

    /// <summary><see cref="RecurrentAutoencoder.Encode(SequenceDataset)"/> of every sequence, (count, coding), computed across the ranks.</summary>
    public static float[] Encode(RecurrentAutoencoder model, SequenceDataset data, ICommunicator communicator)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(communicator);
        if (communicator.Size == 1) return model.Encode(data);
        var shard = Shard.Of(data.Count, communicator.Rank, communicator.Size);
        var local = shard.Count > 0 ? model.Encode(data.Take(shard.Start, shard.Count)) : [];
        return communicator.GatherRows(local, data.Count, model.Spec.CodingSize);
    }
}

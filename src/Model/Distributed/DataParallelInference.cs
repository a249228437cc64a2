namespace RecurrentAE.Model.Distributed;

/// <summary>Inference over many sequences split across ranks: each rank runs its <see cref="Shard"/> of the sequences
/// and the results are gathered, in input order, on every rank (rank 0 writes them). A sequence's result depends only on
/// the sequence, so the gathered result is what one process computes.</summary>
public static class DataParallelInference
{
    /// <summary><see cref="RecurrentAutoencoder.StepErrors"/> of every sequence, (count, steps), computed across the ranks.</summary>
    public static float[] StepErrors(RecurrentAutoencoder model, SequenceDataset data, ICommunicator communicator) =>
        Sharded(model, data, communicator, d => model.StepErrors(d), data?.Steps ?? 0);

    /// <summary><see cref="RecurrentAutoencoder.Encode(SequenceDataset)"/> of every sequence, (count, coding), computed across the ranks.</summary>
    public static float[] Encode(RecurrentAutoencoder model, SequenceDataset data, ICommunicator communicator) =>
        Sharded(model, data, communicator, d => model.Encode(d), model?.Spec.CodingSize ?? 0);

    /// <summary>Each rank runs <paramref name="rowsOf"/> on its shard; the rows (<paramref name="width"/> values a
    /// sequence) are gathered in input order.</summary>
    static float[] Sharded(RecurrentAutoencoder model, SequenceDataset data, ICommunicator communicator, Func<SequenceDataset, float[]> rowsOf, int width)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(communicator);
        if (communicator.Size == 1) return rowsOf(data);
        var shard = Shard.Of(data.Count, communicator.Rank, communicator.Size);
        var local = shard.Count > 0 ? rowsOf(data.Take(shard.Start, shard.Count)) : [];
        return communicator.GatherRows(local, data.Count, width);
    }
}

using System.Numerics;
namespace RecurrentAE.Model.Distributed;

/// <summary>
/// N ranks as threads of one process, for tests of data-parallel code without MPI: the collectives meet at a barrier,
/// and every rank sums the ranks' buffers itself in rank order, so all ranks get bit-identical sums (as MPI's reduction
/// does). <see cref="Abort"/> (or a rank that throws inside <see cref="Run{T}"/>) ends every rank's collective with a
/// <see cref="CommunicatorAbortedException"/>.
/// </summary>
public sealed class InProcessCommunicator : ICommunicator
{
    private readonly Group _group;

    private InProcessCommunicator(Group group, int rank)
    {
        _group = group;
        Rank = rank;
    }

    /// <summary>The ranks of a new group of <paramref name="size"/>, each for its own thread.</summary>
    public static InProcessCommunicator[] Create(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var group = new Group(size);
        return [.. Enumerable.Range(0, size).Select(r => new InProcessCommunicator(group, r))];
    }

    /// <summary>Runs <paramref name="body"/> on <paramref name="size"/> threads, one a rank, and returns each rank's result
    /// in rank order. A rank that throws aborts the others; the first failure (not an abort it caused) is rethrown.</summary>
    public static T[] Run<T>(int size, Func<ICommunicator, T> body)
    {
        var ranks = Create(size);
        var results = new T[size];
        var errors = new Exception?[size];
        var threads = ranks.Select(c => new Thread(() =>
        {
            try { results[c.Rank] = body(c); }
            catch (Exception e)
            {
                errors[c.Rank] = e;
                c._group.Cancel();
            }
        }, 16 << 20)).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        var first = errors.FirstOrDefault(e => e is not null and not CommunicatorAbortedException) ?? errors.FirstOrDefault(e => e is not null);
        if (first is not null) throw new AggregateException($"a rank of {size} failed: {first.Message}", first);
        return results;
    }

    /// <summary>This rank.</summary>
    public int Rank { get; }

    /// <summary>The group's size.</summary>
    public int Size => _group.Size;

    /// <summary>The element-wise sum over the ranks, added in rank order.</summary>
    public void AllReduceSum(Span<float> values) => SumInRankOrder(values);

    /// <summary>The element-wise sum over the ranks, added in rank order.</summary>
    public void AllReduceSum(Span<double> values) => SumInRankOrder(values);

    private void SumInRankOrder<T>(Span<T> values) where T : INumber<T>
    {
        _group.Slots[Rank] = values.ToArray();
        _group.Wait();
        for (int i = 0; i < values.Length; i++)
        {
            T sum = T.Zero;
            for (int r = 0; r < Size; r++) sum += Slot<T>(r, values.Length)[i];
            values[i] = sum;
        }
        _group.Wait();
    }

    /// <summary>Copies the root's bytes into every rank's.</summary>
    public void Broadcast(Span<byte> data, int root)
    {
        if (root < 0 || root >= Size) throw new ArgumentOutOfRangeException(nameof(root), $"root {root} of {Size} ranks");
        if (Rank == root) _group.Slots[root] = data.ToArray();
        _group.Wait();
        if (Rank != root) Slot<byte>(root, data.Length).CopyTo(data);
        _group.Wait();
    }

    /// <summary>Waits for every rank.</summary>
    public void Barrier() => _group.Wait();

    /// <summary>Makes every rank's current and next collective throw, and throws here too.</summary>
    public void Abort(int exitCode)
    {
        _group.Cancel();
        throw new CommunicatorAbortedException($"rank {Rank} aborted the group with exit code {exitCode}");
    }

    private T[] Slot<T>(int rank, int length)
    {
        var slot = (T[])_group.Slots[rank]!;
        if (slot.Length != length) throw new InvalidOperationException($"rank {rank} passed {slot.Length} values, rank {Rank} {length}: collectives must match");
        return slot;
    }

    private sealed class Group(int size)
    {
        private readonly Barrier _barrier = new(size);
        private readonly CancellationTokenSource _abort = new();
        public int Size { get; } = size;
        public object?[] Slots { get; } = new object?[size];

        public void Cancel() => _abort.Cancel();

        public void Wait()
        {
            try
            {
                // A collective that some rank never enters is a bug in the caller: fail instead of hanging a test run.
                if (!_barrier.SignalAndWait(TimeSpan.FromMinutes(2), _abort.Token))
                    throw new TimeoutException("a rank did not enter the collective within 2 minutes");
            }
            catch (OperationCanceledException)
            {
                throw new CommunicatorAbortedException("another rank aborted the group");
            }
        }
    }
}

/// <summary>A collective of an <see cref="InProcessCommunicator"/> ended because a rank aborted the group.</summary>
public sealed class CommunicatorAbortedException(string message) : Exception(message);

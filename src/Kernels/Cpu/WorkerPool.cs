using System.Diagnostics;

namespace RecurrentAE.Kernels.Cpu;

/// <summary>Work split over the pool's threads: Execute(index, count) runs once per thread, index 0 on the caller.
/// Jobs are preallocated objects whose fields hold the arguments, so dispatching allocates nothing.</summary>
internal abstract class ParallelJob
{
    public abstract void Execute(int index, int count);
}

/// <summary>
/// A persistent pool of (threads - 1) workers plus the calling thread. A training step issues dozens of short ops
/// (tens of microseconds each), so workers spin briefly on a generation counter before blocking on an event:
/// waking a blocked thread costs ~10-50 µs, about the length of an op. Every run uses every thread (jobs split
/// their own ranges and may leave some empty), which keeps the hand-off a single counter.
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    /// <summary>How long an idle worker spins before it blocks: covers the gap between ops inside a step.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 5000; // 200 µs

    private readonly Thread[] _threads;
    private readonly ManualResetEventSlim[] _wake;
    private readonly int[] _sleeping;
    private ParallelJob? _job;
    private long _generation;
    private int _pending;
    private volatile bool _stop;
    private Exception? _error;

    public WorkerPool(int threads)
    {
        Count = Math.Max(1, threads);
        _threads = new Thread[Count - 1];
        _wake = new ManualResetEventSlim[Count - 1];
        _sleeping = new int[Count - 1];
        for (int w = 0; w < _threads.Length; w++)
        {
            _wake[w] = new ManualResetEventSlim(false);
            int index = w;
            _threads[w] = new Thread(() => Loop(index)) { IsBackground = true, Name = $"rae-cpu-{index + 1}" };
            _threads[w].Start();
        }
    }

    /// <summary>Threads including the caller.</summary>
    public int Count { get; }

    public void Run(ParallelJob job)
    {
        if (Count == 1)
        {
            job.Execute(0, 1);
            return;
        }
        _job = job;
        _error = null;
        Volatile.Write(ref _pending, Count - 1);
        Interlocked.Increment(ref _generation); // full fence: the job and count are visible before the new generation
        for (int w = 0; w < _wake.Length; w++)
            if (Volatile.Read(ref _sleeping[w]) != 0) _wake[w].Set();
        Exception? mine = null;
        try { job.Execute(0, Count); }
        catch (Exception e) { mine = e; }
        var spin = new SpinWait();
        while (Volatile.Read(ref _pending) != 0) spin.SpinOnce(sleep1Threshold: -1); // never Sleep(1): that is a millisecond
        _job = null;
        if (mine != null) throw mine;
        if (_error != null) throw new AggregateException(_error);
    }

    private void Loop(int w)
    {
        long seen = 0;
        while (true)
        {
            long g;
            long spinStart = Stopwatch.GetTimestamp();
            while ((g = Volatile.Read(ref _generation)) == seen)
            {
                if (_stop) return;
                if (Stopwatch.GetTimestamp() - spinStart < SpinTicks)
                {
                    Thread.SpinWait(20);
                    continue;
                }
                _wake[w].Reset();
                Interlocked.Exchange(ref _sleeping[w], 1); // full fence, paired with Run's Increment then Read
                if (Volatile.Read(ref _generation) == seen && !_stop) _wake[w].Wait();
                Interlocked.Exchange(ref _sleeping[w], 0);
                spinStart = Stopwatch.GetTimestamp();
            }
            seen = g;
            if (_stop) return;
            try { _job!.Execute(w + 1, Count); }
            catch (Exception e) { Interlocked.CompareExchange(ref _error, e, null); }
            Interlocked.Decrement(ref _pending);
        }
    }

    public void Dispose()
    {
        if (_stop) return;
        _stop = true;
        Interlocked.Increment(ref _generation);
        foreach (var e in _wake) e.Set();
    }
}

using System.Diagnostics;

namespace RecurrentAE.Kernels.Cpu;

/// <summary>Work cut into <see cref="Chunks"/> independent pieces: Execute(chunk, chunks, thread) runs each piece once,
/// on whichever pool thread claims it (thread 0 is the caller; the index picks per-thread scratch). Jobs are
/// preallocated objects whose fields hold the arguments, so dispatching allocates nothing.</summary>
internal abstract class ParallelJob
{
    public int Chunks = 1;

    public abstract void Execute(int chunk, int chunks, int thread);
}

/// <summary>
/// A persistent pool of (threads - 1) workers plus the calling thread. A training step issues dozens of ops of
/// 10 µs - 2 ms, so workers spin briefly on a generation counter before blocking on an event (waking a blocked
/// thread costs tens of µs). Chunks are claimed from one atomic word holding (generation, next, total): the caller
/// works too and never waits for a worker that has not started, so a worker descheduled by a busy machine costs
/// the op nothing beyond running single-threaded, instead of a scheduler time slice (measured here: ~1.5 ms a
/// hand-off with a fixed split while other processes loaded both cores).
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
    private long _claim; // generation << 32 | next << 16 | total
    private int _done;
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
        int n = job.Chunks;
        if (Count == 1 || n <= 1)
        {
            for (int c = 0; c < n; c++) job.Execute(c, n, 0);
            return;
        }
        if (n > ushort.MaxValue) throw new ArgumentOutOfRangeException(nameof(job), "too many chunks");
        _job = job;
        _error = null;
        Volatile.Write(ref _done, 0);
        long g = Interlocked.Increment(ref _generation);
        Interlocked.Exchange(ref _claim, ((g & 0xFFFF_FFFF) << 32) | (uint)n); // full fence: job and counters first
        for (int w = 0; w < _wake.Length; w++)
            if (Volatile.Read(ref _sleeping[w]) != 0) _wake[w].Set();
        Exception? mine = null;
        while (TryClaim(out int chunk, out int total))
        {
            try { job.Execute(chunk, total, 0); }
            catch (Exception e) { mine ??= e; }
            Interlocked.Increment(ref _done);
        }
        var spin = new SpinWait();
        while (Volatile.Read(ref _done) != n) spin.SpinOnce(sleep1Threshold: -1); // never Sleep(1): that is a millisecond
        _job = null;
        if (mine != null) throw mine;
        if (_error != null) throw new AggregateException(_error);
    }

    /// <summary>Takes the next chunk of whatever job is current. Any job whose word is current is still live: its
    /// caller waits for every chunk, so a claim made here always belongs to a job that has not returned.</summary>
    private bool TryClaim(out int chunk, out int total)
    {
        while (true)
        {
            long cur = Volatile.Read(ref _claim);
            int next = (int)((cur >> 16) & 0xFFFF);
            total = (int)(cur & 0xFFFF);
            chunk = next;
            if (next >= total) return false;
            long updated = (cur & ~0xFFFF_0000L) | ((long)(next + 1) << 16);
            if (Interlocked.CompareExchange(ref _claim, updated, cur) == cur) return true;
        }
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
            while (TryClaim(out int chunk, out int total))
            {
                try { _job!.Execute(chunk, total, w + 1); }
                catch (Exception e) { Interlocked.CompareExchange(ref _error, e, null); }
                Interlocked.Increment(ref _done);
            }
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

using System.Runtime.InteropServices;

namespace RecurrentAE.Fuzz;

/// <summary>Replaying files outside afl-fuzz with instrumented assemblies.</summary>
public static class Replay
{
    /// <summary>Instrumented code records each branch in SharpFuzz's trace map, which only exists once afl-fuzz (or
    /// <c>Fuzzer.Run</c>) sets it up; a replay gives it a scratch map of AFL's size so instrumented code can run.</summary>
    public static unsafe void InitializeTrace()
    {
        if (SharpFuzz.Common.Trace.SharedMem == null)
            SharpFuzz.Common.Trace.SharedMem = (byte*)NativeMemory.AllocZeroed(1 << 16);
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RecurrentAE.Kernels.Cpu;

/// <summary>Code written once over any vector width (see <see cref="ISimd{TV}"/>), run at a level by <see cref="SimdDispatch"/>.</summary>
internal interface ISimdOp
{
    void Run<S, TV>() where S : struct, ISimd<TV> where TV : struct;
}

/// <summary>The one place that turns a <see cref="SimdLevel"/> into a vector width: every CPU kernel reaches its
/// width-specialised code through <see cref="Run{TOp}"/>. Ops are structs, so the JIT compiles each width on its own
/// with every call inlined, as a direct call would be.</summary>
internal static class SimdDispatch
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TOp>(SimdLevel level, ref TOp op) where TOp : struct, ISimdOp
    {
        switch (level)
        {
            case SimdLevel.Vector512: op.Run<V512, Vector512<float>>(); break;
            case SimdLevel.Vector256: op.Run<V256, Vector256<float>>(); break;
            default: op.Run<Scalar1, float>(); break;
        }
    }

    /// <summary>Floats a vector holds and rows of the GEMM register tile at <paramref name="level"/>.</summary>
    public static (int Count, int TileRows) Shape(SimdLevel level)
    {
        var op = new ShapeOf();
        Run(level, ref op);
        return (op.Count, op.TileRows);
    }

    private struct ShapeOf : ISimdOp
    {
        public int Count, TileRows;

        public void Run<S, TV>() where S : struct, ISimd<TV> where TV : struct
        {
            Count = S.Count;
            TileRows = S.TileRows;
        }
    }
}

/// <summary>A pool job whose chunks run width-specialised code at <see cref="Level"/> (see <see cref="SimdDispatch"/>).</summary>
internal abstract class SimdJob : ParallelJob
{
    public SimdLevel Level;

    public sealed override void Execute(int chunk, int chunks, int thread)
    {
        var op = new Chunk(this, chunk, chunks, thread);
        SimdDispatch.Run(Level, ref op);
    }

    /// <summary>Chunk <paramref name="chunk"/> of <paramref name="chunks"/> at the width of S, on pool thread <paramref name="thread"/>.</summary>
    protected abstract void Run<S, TV>(int chunk, int chunks, int thread) where S : struct, ISimd<TV> where TV : struct;

    private readonly struct Chunk(SimdJob job, int chunk, int chunks, int thread) : ISimdOp
    {
        public void Run<S, TV>() where S : struct, ISimd<TV> where TV : struct => job.Run<S, TV>(chunk, chunks, thread);
    }
}

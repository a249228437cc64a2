using RecurrentAE.Model.Distributed;
using RecurrentAE.Model.Distributed.OpenMpi;

namespace RecurrentAE.Tests.Distributed;

/// <summary>The collectives of the in-process communicator, the shard rule, the gather, and Open MPI's handle lookup.</summary>
public class CommunicatorTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void All_reduce_sums_every_rank_s_values_and_broadcast_copies_the_root_s(int size)
    {
        var random = new Random(Random.Shared.Next());
        var inputs = Enumerable.Range(0, size).Select(_ => Enumerable.Range(0, 37).Select(_ => random.NextDouble() - 0.5).ToArray()).ToArray();
        var results = InProcessCommunicator.Run(size, comm =>
        {
            var f = inputs[comm.Rank].Select(v => (float)v).ToArray();
            var d = (double[])inputs[comm.Rank].Clone();
            comm.AllReduceSum(f);
            comm.AllReduceSum(d);
            var b = new float[5];
            if (comm.Rank == size - 1) b.AsSpan().Fill(float.NaN);
            comm.Broadcast(b, root: size - 1);
            comm.Barrier();
            return (f, d, b);
        });
        for (int i = 0; i < 37; i++)
        {
            double expected = inputs.Sum(x => x[i]);
            double expectedF = inputs.Aggregate(0f, (s, x) => s + (float)x[i]);
            Assert.All(results, r => Assert.Equal(expected, r.d[i], 12));
            Assert.All(results, r => Assert.Equal((float)expectedF, r.f[i]));
        }
        Assert.All(results, r => Assert.All(r.b, v => Assert.True(float.IsNaN(v))));
    }

    [Theory]
    [InlineData(10, 3)]
    [InlineData(2, 3)]
    [InlineData(0, 2)]
    [InlineData(7, 1)]
    public void Shards_are_contiguous_in_rank_order_and_cover_every_item_once(int count, int size)
    {
        var shards = Enumerable.Range(0, size).Select(r => Shard.Of(count, r, size)).ToArray();
        Assert.Equal(0, shards[0].Start);
        for (int r = 1; r < size; r++) Assert.Equal(shards[r - 1].End, shards[r].Start);
        Assert.Equal(count, shards[^1].End);
        Assert.True(shards.Max(s => s.Count) - shards.Min(s => s.Count) <= 1);
    }

    [Fact]
    public void Gathered_rows_are_every_rank_s_rows_bit_for_bit_in_order()
    {
        int rows = 11, length = 3;
        var all = Enumerable.Range(0, rows * length).Select(i => i % 5 == 0 ? float.NaN : (float)(Math.Sin(i) * 1e-30)).ToArray();
        var results = InProcessCommunicator.Run(3, comm =>
        {
            var shard = Shard.Of(rows, comm.Rank, comm.Size);
            return comm.GatherRows(all.AsSpan(shard.Start * length, shard.Count * length), rows, length);
        });
        Assert.All(results, r => Assert.Equal(all.Select(BitConverter.SingleToInt32Bits), r.Select(BitConverter.SingleToInt32Bits)));
    }

    [Fact]
    public void Any_is_true_on_every_rank_when_one_rank_votes_true()
    {
        Assert.Equal([true, true, true], InProcessCommunicator.Run(3, comm => comm.Any(comm.Rank == 1)));
        Assert.Equal([false, false], InProcessCommunicator.Run(2, comm => comm.Any(false)));
    }

    /// <summary>Where Open MPI is installed (CI installs it with scripts/setup.sh --mpi and runs this test with
    /// RAE_REQUIRE_MPI=1 in scripts/mpi-check.sh, beside the mpirun comparison), every handle resolves to a distinct
    /// address; elsewhere the test has nothing to look up.</summary>
    [Fact]
    public void Open_mpi_handles_are_the_addresses_of_its_exported_globals()
    {
        var handles = OpenMpiCommunicator.Handles();
        if (handles is null)
        {
            Assert.NotEqual("1", Environment.GetEnvironmentVariable("RAE_REQUIRE_MPI"));
            return;
        }
        Assert.All(handles.Values, h => Assert.NotEqual(IntPtr.Zero, h));
        Assert.Equal(handles.Count, handles.Values.Distinct().Count());
    }

    [Fact]
    public void Without_mpirun_the_world_is_one_process()
    {
        if (Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is not null) return; // the test run itself is under mpirun
        Assert.Same(SingleProcessCommunicator.Instance, MpiLaunch.World);
        Assert.Equal(0, MpiLaunch.LocalRank);
    }
}

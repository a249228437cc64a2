using System.Globalization;
using RecurrentAE.Model.Distributed;

namespace RecurrentAE.Runner.Training;

/// <summary>The part of the first line of a run that says it is data parallel: the ranks and how a global batch splits.</summary>
internal static class DataParallelDescription
{
    public static string Of(ICommunicator world, int batchSize)
    {
        if (world.Size == 1) return "";
        var shards = Enumerable.Range(0, world.Size).Select(r => Shard.Of(batchSize, r, world.Size).Count).Distinct().OrderDescending();
        return string.Create(CultureInfo.InvariantCulture,
            $"; data parallel on {world.Size} ranks (each global batch of {batchSize} split {string.Join(" or ", shards)} rows a rank; one all-reduce a step)");
    }
}

using RecurrentAE.Tests.Model;

namespace RecurrentAE.Tests.Series;

/// <summary>The reversed decoder output (spec ReverseOutput): targets are each sequence back to front within its length;
/// what callers see (Reconstruct, SequenceErrors) is in the data's order again.</summary>
public class ReverseOutputTests
{
    static readonly AutoencoderSpec Spec = new(2, [5, 3], [4], OutputHead.Linear, ReverseOutput: true);

    [Fact]
    public void Spec_json_round_trips_and_forward_specs_keep_their_json()
    {
        Assert.DoesNotContain("reverse", AutoencoderSpec.Reference.ToJson());
        Assert.Equal(AutoencoderSpec.Reference, AutoencoderSpec.FromJson(AutoencoderSpec.Reference.ToJson()));
        var back = AutoencoderSpec.FromJson(Spec.ToJson());
        Assert.True(back.ReverseOutput);
        Assert.Equal(Spec, back);
        Assert.NotEqual(Spec, Spec with { ReverseOutput = false });
    }

    [Fact]
    public void ReverseEach_flips_within_each_length()
    {
        float[] v = [1, 2, 3, 0, 4, 5, 0, 0];
        Assert.Equal([3f, 2, 1, 0, 5, 4, 0, 0], DeviceDataset.ReverseEach(v, 2, 4, 1, n => n == 0 ? 3 : 2));
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void Loss_is_the_error_of_the_reconstruction_in_data_order_and_a_ragged_batch_equals_one_by_one(string backendName)
    {
        var random = new Random(3);
        int[] lengths = [3, 6, 1, 4];
        var sequences = lengths.Select(l => Enumerable.Range(0, l * 2).Select(_ => (float)random.NextDouble() * 2 - 1).ToArray()).ToList();
        var batch = SequenceDataset.FromRagged(sequences, 2);
        using var backend = TestBackends.Create(backendName);
        using var model = new RecurrentAutoencoder(backend, Spec, 11);

        float loss = model.ComputeGradients(batch);
        var batchGrad = model.GetGradients();
        var reconstruction = model.Reconstruct(batch);
        var errors = model.SequenceErrors(batch);
        double sum = 0;
        for (int n = 0; n < batch.Count; n++)
        {
            double e = 0;
            for (int i = 0; i < lengths[n] * 2; i++)
            {
                double d = reconstruction[n * batch.SequenceLength + i] - batch.Values[n * batch.SequenceLength + i];
                e += d * d;
            }
            Assert.Equal(e / (lengths[n] * 2), errors[n], 4);
            sum += e;
        }
        Assert.Equal(sum / (lengths.Sum() * 2), loss, 4);

        var oneByOne = new double[model.ParameterCount];
        for (int n = 0; n < lengths.Length; n++)
        {
            model.ComputeGradients(new SequenceDataset(sequences[n], 1, lengths[n], 2));
            var g = model.GetGradients();
            for (int i = 0; i < g.Length; i++) oneByOne[i] += g[i] * lengths[n] / (double)lengths.Sum();
        }
        double scale = oneByOne.Max(Math.Abs);
        for (int i = 0; i < oneByOne.Length; i++) Assert.True(Math.Abs(oneByOne[i] - batchGrad[i]) / scale < 1e-4, $"gradient {i}");
    }
}

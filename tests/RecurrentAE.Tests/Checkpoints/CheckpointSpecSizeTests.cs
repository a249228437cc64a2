using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using RecurrentAE.Kernels.Cpu;

namespace RecurrentAE.Tests.Checkpoints;

/// <summary>A checkpoint's spec is checked against the weights the file holds before any model of it is allocated.</summary>
public class CheckpointSpecSizeTests
{
    public static TheoryData<AutoencoderSpec> Specs => new()
    {
        AutoencoderSpec.Reference,
        new AutoencoderSpec(3, [5], [4, 6], OutputHead.Linear),
        new AutoencoderSpec(7, [4, 2], [5], OutputHead.Softmax, ReverseOutput: true, TeacherForcing: true),
    };

    [Theory]
    [MemberData(nameof(Specs))]
    public void The_parameter_count_of_a_spec_is_the_models(AutoencoderSpec spec)
    {
        using var backend = new CpuBackend(1);
        using var model = new RecurrentAutoencoder(backend, spec, seed: 1, maxBatch: 1);
        Assert.Equal(model.ParameterCount, spec.ParameterCount());
    }

    [Fact]
    public void A_spec_that_needs_more_weights_than_the_file_holds_is_rejected_before_building_a_model()
    {
        var spec = """{"features":1000000,"encoder":[2000000000],"decoder":[1]}""";
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["__metadata__"] = new Dictionary<string, string> { ["spec"] = spec },
            ["w"] = new { dtype = "F32", shape = new[] { 1 }, data_offsets = new[] { 0, 4 } },
        }));
        var file = new byte[8 + json.Length + 4];
        BinaryPrimitives.WriteInt64LittleEndian(file, json.Length);
        json.CopyTo(file, 8);
        var e = Assert.Throws<DataFormatException>(() => Checkpoint.Parse(file, "huge.safetensors"));
        Assert.Contains("needs 16,008,000,016,002,000,008 weights, the file holds 1", e.Message);
    }
}

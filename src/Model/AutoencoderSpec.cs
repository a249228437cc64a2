using System.Text.Json;

namespace RecurrentAE.Model;

/// <summary>
/// The shape of a recurrent autoencoder: the encoder's LSTM sizes (the last is the coding), the decoder's
/// LSTM sizes, and the number of features per step. The reference model is 28 -> [100, 30] -> [100] -> 28.
/// </summary>
public sealed record AutoencoderSpec(int Features, IReadOnlyList<int> EncoderUnits, IReadOnlyList<int> DecoderUnits)
{
    public static AutoencoderSpec Reference { get; } = new(28, [100, 30], [100]);

    public int CodingSize => EncoderUnits[^1];

    public void Validate()
    {
        if (Features < 1) throw new ArgumentException($"features must be at least 1, not {Features}");
        if (EncoderUnits.Count < 1 || DecoderUnits.Count < 1)
            throw new ArgumentException("the encoder and the decoder need at least one LSTM layer each");
        if (EncoderUnits.Concat(DecoderUnits).Any(u => u < 1))
            throw new ArgumentException("every LSTM layer needs at least one unit");
    }

    public string ToJson() => JsonSerializer.Serialize(new SpecJson(Features, [.. EncoderUnits], [.. DecoderUnits]));

    public static AutoencoderSpec FromJson(string json)
    {
        var s = JsonSerializer.Deserialize<SpecJson>(json) ?? throw new FormatException("empty model spec");
        var spec = new AutoencoderSpec(s.features, s.encoder ?? [], s.decoder ?? []);
        spec.Validate();
        return spec;
    }

    public override string ToString() =>
        $"{Features} -> [{string.Join(", ", EncoderUnits)}] -> [{string.Join(", ", DecoderUnits)}] -> {Features}";

    public bool Equals(AutoencoderSpec? other) =>
        other is not null && Features == other.Features
        && EncoderUnits.SequenceEqual(other.EncoderUnits) && DecoderUnits.SequenceEqual(other.DecoderUnits);

    public override int GetHashCode() => HashCode.Combine(Features, EncoderUnits.Count, DecoderUnits.Count, CodingSize);

#pragma warning disable IDE1006 // JSON field names
    private sealed record SpecJson(int features, int[]? encoder, int[]? decoder);
#pragma warning restore IDE1006
}

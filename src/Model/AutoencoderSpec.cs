using System.Text.Json;
using RecurrentAE.Kernels;

namespace RecurrentAE.Model;

/// <summary>
/// The shape of a recurrent autoencoder: the encoder's LSTM sizes (the last is the coding), the decoder's
/// LSTM sizes, the number of features per step and the output head (sigmoid + BCE for data in [0, 1], linear + MSE for
/// standardised real values, softmax + cross-entropy for one-hot symbols). The reference model is
/// 28 -> [100, 30] -> [100] -> 28, sigmoid.
/// </summary>
/// <param name="Features">Values a step (the input and the output width).</param>
/// <param name="EncoderUnits">The encoder LSTMs' sizes, first to last; the last is the coding size.</param>
/// <param name="DecoderUnits">The decoder LSTMs' sizes, first to last.</param>
/// <param name="Head">The output activation and its loss.</param>
/// <param name="ReverseOutput">The decoder emits each sequence back to front (see the remarks in the source).</param>
/// <param name="TeacherForcing">The decoder's first LSTM also sees the previous target step.</param>
/// <param name="Coding">What the coding is: the last encoder LSTM's state, or a Dense layer on it (sparse, variational; see <see cref="CodingKind"/>).</param>
public sealed record AutoencoderSpec(int Features, IReadOnlyList<int> EncoderUnits, IReadOnlyList<int> DecoderUnits,
    OutputHead Head = OutputHead.Sigmoid, bool ReverseOutput = false, bool TeacherForcing = false, CodingKind Coding = CodingKind.State)
{
    // TeacherForcing: the decoder's first LSTM sees [coding ; y_{t-1}] at step t, y being the decoder's target sequence
    // (the input, or reversed with ReverseOutput) and y_{-1} = 0; its kernel is one (coding + features, 4U) matrix, as
    // Keras's Concatenate([RepeatVector(T)(coding), shifted_targets]) -> LSTM. Training and Evaluate are teacher forced;
    // Reconstruct/Decode (and what is built on them) decode greedily, feeding back the model's own previous output.
    // ReverseOutput: the decoder emits each sequence back to front (its step t reconstructs step length-1-t), as in
    // Srivastava et al. (2015). Its first outputs then need only what the coding (the encoder's state at the sequence's
    // own last step) holds most directly; with sequences of different lengths and random phase a forward decoder has to
    // learn to count steps and barely trains. Reconstruct/Decode/SequenceErrors undo the order: callers never see it.

    /// <summary>The reference model: 28 features (a Fashion-MNIST row), encoder LSTMs of 100 and 30, a decoder LSTM of 100, sigmoid head.</summary>
    public static AutoencoderSpec Reference { get; } = new(28, [100, 30], [100]);

    /// <summary>The text model of <c>rae train --text</c> over <paramref name="vocabularySize"/> symbols: one encoder LSTM
    /// of 256 (the coding must hold a whole line), a decoder LSTM of 256 emitting the line forwards (on fortune lines
    /// forward order learned faster than reversed output), teacher forced (the decoder sees the previous character;
    /// reconstructions decode greedily), softmax head with cross-entropy.</summary>
    public static AutoencoderSpec Text(int vocabularySize) =>
        new(vocabularySize, [256], [256], OutputHead.Softmax, ReverseOutput: false, TeacherForcing: true);

    /// <summary>The size of the coding: the last encoder LSTM's units (a sparse or variational coding layer keeps the size).</summary>
    public int CodingSize => EncoderUnits[^1];

    /// <summary>Throws <see cref="ArgumentException"/> when a size is below 1 or the encoder or decoder has no layer.</summary>
    public void Validate()
    {
        if (Features < 1) throw new ArgumentException($"features must be at least 1, not {Features}");
        if (EncoderUnits.Count < 1 || DecoderUnits.Count < 1)
            throw new ArgumentException("the encoder and the decoder need at least one LSTM layer each");
        if (EncoderUnits.Concat(DecoderUnits).Any(u => u < 1))
            throw new ArgumentException("every LSTM layer needs at least one unit");
    }

    /// <summary>The number of weights a model of this spec holds (the parameter layout's total), computed without
    /// building the model; wide enough for a corrupt spec that asks for more than any array holds.</summary>
    public Int128 ParameterCount()
    {
        Int128 total = 0, input = Features;
        foreach (int u in EncoderUnits) { total += Lstm(input, u); input = u; }
        if (TeacherForcing) input += Features; // [coding ; y_{t-1}]
        foreach (int u in DecoderUnits) { total += Lstm(input, u); input = u; }
        Int128 coding = (Int128)CodingSize * CodingSize + CodingSize; // a Dense layer on the last state, U -> U
        total += Coding switch { CodingKind.Sparse => coding, CodingKind.Variational => 2 * coding, _ => 0 };
        return total + input * Features + Features; // the dense head's kernel and bias

        static Int128 Lstm(Int128 input, Int128 units) => input * 4 * units + units * 4 * units + 4 * units;
    }

    internal string ToJson() => JsonSerializer.Serialize(new SpecJson(Features, [.. EncoderUnits], [.. DecoderUnits], HeadName(Head),
        ReverseOutput ? true : null, TeacherForcing ? true : null, CodingName(Coding)));

    /// <summary>The coding kind as checkpoints store it (null for the plain state, so older files read back unchanged).</summary>
    static string? CodingName(CodingKind kind) => kind switch
    {
        CodingKind.Sparse => "sparse",
        CodingKind.Variational => "variational",
        _ => null,
    };

    static CodingKind ParseCoding(string? name) => name switch
    {
        null or "state" => CodingKind.State,
        "sparse" => CodingKind.Sparse,
        "variational" => CodingKind.Variational,
        _ => throw new FormatException($"unknown coding '{name}': state, sparse or variational"),
    };

    /// <summary>The loss each head trains with, as the command line names it.</summary>
    public static string HeadName(OutputHead head) => head switch
    {
        OutputHead.Sigmoid => "bce",
        OutputHead.Linear => "mse",
        _ => "cce",
    };

    internal static OutputHead ParseHead(string? name) => name switch
    {
        null or "bce" or "sigmoid" => OutputHead.Sigmoid,
        "mse" or "linear" => OutputHead.Linear,
        "cce" or "softmax" => OutputHead.Softmax,
        _ => throw new FormatException($"unknown loss '{name}': use bce, mse or cce"),
    };

    internal static AutoencoderSpec FromJson(string json)
    {
        var s = JsonSerializer.Deserialize<SpecJson>(json) ?? throw new FormatException("empty model spec");
        var spec = new AutoencoderSpec(s.features, s.encoder ?? [], s.decoder ?? [], ParseHead(s.head), s.reverse ?? false,
            s.teacher_forcing ?? false, ParseCoding(s.coding));
        spec.Validate();
        return spec;
    }

    /// <summary>The shape in one line, e.g. <c>28 -> [100, 30] -> [100] -> 28 (bce)</c>.</summary>
    public override string ToString() =>
        $"{Features} -> [{string.Join(", ", EncoderUnits)}] -> [{string.Join(", ", DecoderUnits)}] -> {Features} ({HeadName(Head)}" +
        $"{(ReverseOutput ? ", reversed output" : "")}{(TeacherForcing ? ", teacher forcing" : "")}{(Coding == CodingKind.State ? "" : $", {CodingName(Coding)} coding")})";

    /// <summary>Equal when every size, the head and both flags are (the unit lists compared element by element).</summary>
    public bool Equals(AutoencoderSpec? other) =>
        other is not null && Features == other.Features && Head == other.Head && ReverseOutput == other.ReverseOutput
        && TeacherForcing == other.TeacherForcing && Coding == other.Coding
        && EncoderUnits.SequenceEqual(other.EncoderUnits) && DecoderUnits.SequenceEqual(other.DecoderUnits);

    /// <summary>A hash consistent with <see cref="Equals(AutoencoderSpec)"/>.</summary>
    public override int GetHashCode() => HashCode.Combine(Features, EncoderUnits.Count, DecoderUnits.Count, CodingSize);

#pragma warning disable IDE1006 // JSON field names
    private sealed record SpecJson(int features, int[]? encoder, int[]? decoder, string? head,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] bool? reverse = null,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] bool? teacher_forcing = null,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? coding = null);
#pragma warning restore IDE1006
}

/// <summary>What a model's coding is.</summary>
public enum CodingKind
{
    /// <summary>The last encoder LSTM's state at the sequence's last step (the undercomplete autoencoder).</summary>
    State,

    /// <summary>Sparse: Dense(U -> U) + sigmoid on that state, so the coding units are activations in (0, 1) that the
    /// sparsity penalties push towards a target mean (Géron, Hands-on ML, ch. 17).</summary>
    Sparse,

    /// <summary>Variational: two Dense(U -> U) layers on that state give the mean and the log-variance of a diagonal
    /// Gaussian; training samples the coding by the reparameterisation, evaluation and encoding use the mean
    /// (Kingma and Welling 2014; Bowman et al. 2016 for recurrent ones).</summary>
    Variational,
}

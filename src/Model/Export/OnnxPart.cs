namespace RecurrentAE.Model.Export;

/// <summary>Which graph of a model <see cref="OnnxExport"/> writes.</summary>
public enum OnnxPart
{
    /// <summary><c>input</c> [batch, steps, features] -> <c>reconstruction</c> of the same shape (not for teacher-forced models).</summary>
    Autoencoder,

    /// <summary><c>input</c> [batch, steps, features] -> <c>coding</c> [batch, coding].</summary>
    Encoder,

    /// <summary><c>coding</c> [batch, coding] and <c>steps</c> -> <c>reconstruction</c> [batch, steps, features]; for a
    /// teacher-forced model one decoder step with its state as inputs and outputs (see <see cref="OnnxExport"/>).</summary>
    Decoder,
}

/// <summary>What to export: the part, and whether the sequence graphs take a <c>lengths</c> input for padded batches.</summary>
/// <param name="Part">The graph to write.</param>
/// <param name="Lengths">Adds the input <c>lengths</c> [batch] int32 (each sequence's own number of steps, the rest padding)
/// to the autoencoder and encoder graphs; without it every sequence has all the input's steps.</param>
public sealed record OnnxExportOptions(OnnxPart Part = OnnxPart.Autoencoder, bool Lengths = false);

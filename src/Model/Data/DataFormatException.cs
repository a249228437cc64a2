namespace RecurrentAE.Model.Data;

/// <summary>A data file that cannot be read as what it claims to be; the message is one line naming the file and the fault.</summary>
public sealed class DataFormatException(string message) : Exception(message);

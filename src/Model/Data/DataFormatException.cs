namespace RecurrentAE.Model.Data;

/// <summary>A data or checkpoint file is truncated, corrupt or not what it claims to be. The message is one line
/// that names the file and what is wrong.</summary>
public sealed class DataFormatException(string message) : Exception(message);

/// <summary>No data directory holds the files; the message says where we looked and how to get them.</summary>
public sealed class DatasetNotFoundException(string message) : Exception(message);

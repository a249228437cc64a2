namespace RecurrentAE.Runner.Output;

/// <summary>What <c>rae train</c>'s first line says about memory: the resident data (training and validation sets) and the
/// model's training state.</summary>
internal static class MemoryFootprint
{
    /// <summary>"data 188 MB, model 1.96 MB" for the resident data sets and the model's parameters, gradients and Adam moments.</summary>
    public static string Describe(RecurrentAutoencoder model, DeviceDataset train, DeviceDataset valid) =>
        $"data {Bytes(train.ResidentBytes + valid.ResidentBytes)}, model {Bytes(model.ParameterStateBytes)}";

    /// <summary>A byte count in decimal units with three significant digits: 950 B, 12.3 kB, 188 MB, 1.96 GB.</summary>
    public static string Bytes(long bytes)
    {
        if (bytes < 1000) return string.Create(CultureInfo.InvariantCulture, $"{bytes} B");
        string[] units = ["kB", "MB", "GB", "TB"];
        double value = bytes;
        int unit = -1;
        while (value >= 999.5 && unit < units.Length - 1)
        {
            value /= 1000;
            unit++;
        }
        string format = value >= 99.95 ? "0" : value >= 9.995 ? "0.0" : "0.00";
        return value.ToString(format, CultureInfo.InvariantCulture) + " " + units[unit];
    }
}

namespace RecurrentAE.Model.Data;

/// <summary>The rows of a CSV text as the readers of this folder take them: every line that, trimmed, is neither blank nor
/// starts with <c>#</c>, split at commas, with its line number (from 1) for error messages.</summary>
internal static class CsvRows
{
    public static IEnumerable<(int Line, string[] Fields)> Read(TextReader reader)
    {
        string? line;
        int lineNumber = 0;
        while ((line = reader.ReadLine()) != null)
        {
            lineNumber++;
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#')) continue;
            yield return (lineNumber, trimmed.Split(','));
        }
    }
}

using System.Globalization;
using System.Text;

namespace RecurrentAE.Model.Data;

/// <summary>A data or checkpoint file is truncated, corrupt or not what it claims to be. The message is one line
/// that names the file and what is wrong: text quoted from the file is kept on that line (line breaks and other
/// control characters are written as \n, \r, \t or \uXXXX).</summary>
public sealed class DataFormatException(string message) : Exception(OneLine(message))
{
    /// <summary><paramref name="text"/> with line breaks, Unicode line and paragraph separators and other control
    /// characters escaped, so it prints on one line.</summary>
    public static string OneLine(string text)
    {
        if (!text.Any(IsBreaking)) return text;
        var sb = new StringBuilder(text.Length + 8);
        foreach (char c in text)
            sb.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when IsBreaking(c) => "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        return sb.ToString();
    }

    /// <summary>Whether <paramref name="c"/> would break or garble a one-line message.</summary>
    public static bool IsBreaking(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
}

/// <summary>No data directory holds the files; the message says where we looked and how to get them.</summary>
public sealed class DatasetNotFoundException(string message) : Exception(message);

using System.Text.RegularExpressions;

namespace RecurrentAE.Runner.Training;

/// <summary>Durations on the command line: hours, minutes and seconds in that order, each a whole number with its unit
/// (<c>90s</c>, <c>15m</c>, <c>1h30m</c>, <c>2h</c>, <c>1h0m30s</c>).</summary>
internal static partial class Durations
{
    [GeneratedRegex(@"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")]
    private static partial Regex Pattern();

    /// <summary>The duration <paramref name="text"/> names, or a one-line <see cref="UsageException"/> for <paramref name="flag"/>.</summary>
    public static TimeSpan Parse(string text, string flag)
    {
        var m = Pattern().Match(text.Trim());
        if (!m.Success || text.Trim().Length == 0)
            throw new UsageException($"{flag} takes a duration such as 90s, 15m, 1h30m or 2h, not '{text}'");
        try
        {
            long Part(int g) => m.Groups[g].Success ? long.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture) : 0;
            var t = TimeSpan.FromHours(Part(1)) + TimeSpan.FromMinutes(Part(2)) + TimeSpan.FromSeconds(Part(3));
            if (t <= TimeSpan.Zero) throw new UsageException($"{flag} must be longer than 0, not '{text}'");
            return t;
        }
        catch (Exception e) when (e is OverflowException or ArgumentOutOfRangeException)
        {
            throw new UsageException($"{flag} {text}: too long");
        }
    }

    /// <summary>A duration the way <see cref="Parse"/> reads it (1h30m, 15m, 90s -> 1m30s).</summary>
    public static string Format(TimeSpan t)
    {
        var s = "";
        if (t.TotalHours >= 1) s += $"{(long)t.TotalHours}h";
        if (t.Minutes > 0) s += $"{t.Minutes}m";
        if (t.Seconds > 0 || s.Length == 0) s += $"{t.Seconds}s";
        return s;
    }
}

using System.Text;
using RecurrentAE.Model.Text;

/// <summary>
/// Short lines of real text from Debian's fortunes (<c>/usr/share/games/fortunes</c>): each fortune (the text between
/// lines holding a single '%') has its control characters (the overstriking backspaces) removed and its whitespace
/// collapsed, and is then split at spaces into lines whose widths are drawn uniformly from 10-40 characters, so the
/// lines cover that range evenly rather than clustering at one width. Fortunes, not lines, are held out, so no held-out
/// line shares a quote with a training line. Duplicate lines are dropped.
/// </summary>
static class FortuneLines
{
    public const int MinLength = 10, MaxLength = 40;

    /// <summary>(training, held-out) lines; null when the directory holds no fortunes.</summary>
    public static (string[] Train, string[] HeldOut)? Load(string dir, bool lowercase, int heldOutLines, int seed)
    {
        if (!Directory.Exists(dir)) return null;
        var files = Directory.GetFiles(dir).Where(f => !Path.GetFileName(f).Contains('.') && new FileInfo(f).LinkTarget is null)
            .OrderBy(f => f, StringComparer.Ordinal);
        var fortunes = files.SelectMany(f => Fortunes(f, lowercase)).ToList();
        if (fortunes.Count == 0) return null;

        var random = new Random(seed);
        var seen = new HashSet<string>();
        var heldOut = new List<string>();
        var train = new List<string>();
        foreach (var fortune in fortunes.OrderBy(_ => random.Next()).ToList())
        {
            var target = heldOut.Count < heldOutLines ? heldOut : train;
            foreach (var line in Split(fortune, random))
                if (seen.Add(line)) target.Add(line);
        }
        return ([.. train], [.. heldOut]);
    }

    private static IEnumerable<string> Fortunes(string file, bool lowercase)
    {
        var text = new StringBuilder();
        foreach (var raw in File.ReadLines(file, Encoding.UTF8).Append("%"))
        {
            if (raw.Trim() != "%") { text.Append(raw).Append(' '); continue; }
            var clean = new string([.. text.ToString().Where(c => !char.IsControl(c) || c == '\t')]);
            text.Clear();
            var fortune = string.Join(' ', clean.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            if (fortune.Length > 0) yield return lowercase ? fortune.ToLowerInvariant() : fortune;
        }
    }

    /// <summary>Greedy word wrap with a fresh width in [10, 40] for every line; lines shorter than 10 characters (a
    /// fortune's tail) and words longer than 40 are left out.</summary>
    private static IEnumerable<string> Split(string fortune, Random random)
    {
        var line = new StringBuilder();
        int width = random.Next(MinLength, MaxLength + 1), length = 0;
        foreach (var word in fortune.Split(' '))
        {
            int wordLength = TextCorpus.Length(word);
            if (length > 0 && length + 1 + wordLength > width)
            {
                if (length >= MinLength) yield return line.ToString();
                line.Clear(); length = 0;
                width = random.Next(MinLength, MaxLength + 1);
            }
            if (wordLength > MaxLength) continue;
            if (length > 0) { line.Append(' '); length++; }
            line.Append(word); length += wordLength;
        }
        if (length >= MinLength && length <= MaxLength) yield return line.ToString();
    }
}

using System.CommandLine;
using RecurrentAE.Model.Analysis;

namespace RecurrentAE.Runner.Commands;

/// <summary>
/// The flags that choose how per-step errors become a sequence's score: <c>--score mean|max|topk</c>, <c>--smooth K</c>
/// and <c>--top-k K</c>. Each flag not given keeps the part of the rule the model's threshold was computed with (stored in
/// the checkpoint), so with none the scores are on the threshold's scale; <c>--score topk</c> over a stored rule of
/// another kind takes k = <see cref="DefaultTopK"/>.
/// </summary>
internal sealed class ScoreRuleOptions
{
    public const int DefaultTopK = 10;

    public Option<string?> Score { get; } = new("--score")
    {
        Description = $"How a sequence's per-step errors (smoothed by --smooth) become its score: mean, max, or topk (the mean of the --top-k largest); default: the rule the model's threshold was computed with ({SequenceScore.Default} for models trained now, mean,smooth=1 for older ones)",
    };

    public Option<int?> Smooth { get; } = new("--smooth")
    {
        Description = "Width in steps of the centred moving average over the per-step errors before --score (1: none; at a sequence's ends the average covers the steps that exist); default: the stored rule's",
    };

    public Option<int?> TopK { get; } = new("--top-k")
    {
        Description = $"With --score topk: how many of the largest smoothed step errors are averaged (all of them in a shorter sequence); default: the stored rule's, else {DefaultTopK}",
    };

    public ScoreRuleOptions()
    {
        Score.AcceptOnlyFromAmong("mean", "max", "topk");
        Smooth.Validators.Add(r => { if (CommonOptions.TryValue<int?>(r, out var v) && v is < 1) r.AddError("--smooth must be at least 1 (1: no smoothing)"); });
        TopK.Validators.Add(r => { if (CommonOptions.TryValue<int?>(r, out var v) && v is < 1) r.AddError("--top-k must be at least 1"); });
    }

    public IEnumerable<Option> All => [Score, Smooth, TopK];

    public void AddTo(Command command)
    {
        foreach (var o in All) command.Options.Add(o);
    }

    /// <summary>The rule the flags ask for, each part not given taken from <paramref name="stored"/>.</summary>
    public SequenceScore Resolve(ParseResult parse, SequenceScore stored)
    {
        var kind = parse.GetValue(Score) is string name ? SequenceScore.ParseKind(name)!.Value : stored.Kind;
        int? k = parse.GetValue(TopK);
        if (k is not null && kind != ScoreKind.TopK) throw new UsageException("--top-k applies to --score topk");
        int smooth = parse.GetValue(Smooth) ?? stored.Smooth;
        return new SequenceScore(kind, smooth, kind != ScoreKind.TopK ? 1 : k ?? (stored.Kind == ScoreKind.TopK ? stored.TopK : DefaultTopK));
    }
}

using System.Globalization;
using RecurrentAE.Model;

namespace RecurrentAE.Runner.Training;

/// <summary>The coding a <c>rae train</c> command line asks for (sparse, variational or the plain state), the flags that
/// go with each checked against each other, and the settings line's words for them.</summary>
internal static class RegularizedCoding
{
    /// <summary>The coding kind: --variational, or sparse when --sparsity or --l1-coding is given; on resume the
    /// checkpoint's, which the flags may not change. Bad combinations are one-line usage errors.</summary>
    public static CodingKind Kind(TrainingOverrides t, bool variational, AutoencoderSpec? resumed)
    {
        bool sparse = t.Sparsity is not null || t.L1Coding is not null;
        if (variational && sparse) throw new UsageException("--variational and --sparsity/--l1-coding exclude each other: a coding is either sampled or sparse");
        if (t.SparsityWeight is not null && t.Sparsity is null && resumed?.Coding != CodingKind.Sparse)
            throw new UsageException("--sparsity-weight needs --sparsity P (the target mean activation)");
        var kind = variational ? CodingKind.Variational : sparse ? CodingKind.Sparse : CodingKind.State;
        if (resumed is not null)
        {
            if ((variational || sparse) && kind != resumed.Coding)
                throw new UsageException($"{(variational ? "--variational" : "--sparsity/--l1-coding")} cannot be turned on when resuming a model without it");
            kind = resumed.Coding;
        }
        if ((t.KlWeight is not null || t.KlWarmupEpochs is not null) && kind != CodingKind.Variational)
            throw new UsageException("--kl-weight and --kl-warmup need --variational");
        return kind;
    }

    /// <summary>The settings line's parts for denoising and the coding's regulariser.</summary>
    public static IEnumerable<string> Describe(TrainingOptions o, CodingKind coding)
    {
        static string F(double v) => v.ToString("G3", CultureInfo.InvariantCulture);
        if (o.InputNoise > 0) yield return $"input noise {F(o.InputNoise)}";
        if (o.InputDropout > 0) yield return $"input dropout {F(o.InputDropout)}";
        if (coding == CodingKind.Variational)
            yield return $"variational coding, KL weight {F(o.KlWeight)}{(o.KlWarmupEpochs > 0 ? $" after a {o.KlWarmupEpochs}-epoch linear warm-up" : "")}";
        if (coding == CodingKind.Sparse)
            yield return "sparse (sigmoid) coding" + (o.Sparsity is float p ? $", KL to target {F(p)} weight {F(o.SparsityWeight)}" : "")
                + (o.L1Coding > 0 ? $", L1 {F(o.L1Coding)}" : "");
    }
}

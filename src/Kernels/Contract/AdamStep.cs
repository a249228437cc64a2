namespace RecurrentAE.Kernels;

/// <summary>One Adam update in Keras's form (docs/reference.md): m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
/// w -= a m / (sqrt(v) + eps) with a = <see cref="StepSize"/>.</summary>
/// <param name="Settings">lr, b1 (the first moment's decay), b2 (the second moment's decay) and eps (added to sqrt(v)).</param>
/// <param name="Step">t, counted from 1.</param>
public readonly record struct AdamStep(AdamSettings Settings, int Step)
{
    /// <summary>a = lr * sqrt(1 - b2^t) / (1 - b1^t), computed in double on the host.</summary>
    public float StepSize => (float)(Settings.LearningRate * Math.Sqrt(1 - Math.Pow(Settings.Beta2, Step)) / (1 - Math.Pow(Settings.Beta1, Step)));
}

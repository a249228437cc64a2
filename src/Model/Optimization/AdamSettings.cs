namespace RecurrentAE.Model.Optimization;

/// <summary>Adam's hyper-parameters; the defaults are Keras's, with its epsilon of 1e-7.</summary>
/// <param name="LearningRate">lr.</param>
/// <param name="Beta1">The first moment's decay.</param>
/// <param name="Beta2">The second moment's decay.</param>
/// <param name="Epsilon">Added to sqrt(v).</param>
public sealed record AdamSettings(float LearningRate = 1e-3f, float Beta1 = 0.9f, float Beta2 = 0.999f, float Epsilon = 1e-7f);

/// <summary>Adam's state for a checkpoint: the step count and both moments, flat like the parameters.</summary>
/// <param name="Step">Adam's step count t.</param>
/// <param name="FirstMoment">m, laid out like the parameters.</param>
/// <param name="SecondMoment">v, laid out like the parameters.</param>
public sealed record OptimizerState(int Step, float[] FirstMoment, float[] SecondMoment);

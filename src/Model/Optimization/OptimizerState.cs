namespace RecurrentAE.Model.Optimization;

/// <summary>Adam's state for a checkpoint: the step count and both moments, flat like the parameters.</summary>
/// <param name="Step">Adam's step count t.</param>
/// <param name="FirstMoment">m, laid out like the parameters.</param>
/// <param name="SecondMoment">v, laid out like the parameters.</param>
public sealed record OptimizerState(int Step, float[] FirstMoment, float[] SecondMoment);

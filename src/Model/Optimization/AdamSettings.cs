namespace RecurrentAE.Model;

/// <summary>Adam's hyper-parameters; the defaults are Keras's, with its epsilon of 1e-7.</summary>
public sealed record AdamSettings(float LearningRate = 1e-3f, float Beta1 = 0.9f, float Beta2 = 0.999f, float Epsilon = 1e-7f);

/// <summary>Adam's state for a checkpoint: the step count and both moments, flat like the parameters.</summary>
public sealed record OptimizerState(int Step, float[] FirstMoment, float[] SecondMoment);

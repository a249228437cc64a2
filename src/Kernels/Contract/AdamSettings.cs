namespace RecurrentAE.Kernels;

/// <summary>Adam's hyper-parameters; the defaults are Keras's, with its epsilon of 1e-7. The one type that carries them
/// from the command line (--lr) through the model and its checkpoint to the kernels (<see cref="AdamStep"/>).</summary>
/// <param name="LearningRate">lr.</param>
/// <param name="Beta1">The first moment's decay.</param>
/// <param name="Beta2">The second moment's decay.</param>
/// <param name="Epsilon">Added to sqrt(v).</param>
public sealed record AdamSettings(float LearningRate = 1e-3f, float Beta1 = 0.9f, float Beta2 = 0.999f, float Epsilon = 1e-7f);

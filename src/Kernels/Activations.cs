namespace RecurrentAE.Kernels;

/// <summary>
/// Sigmoid and tanh written once for every backend (ILGPU kernels call these too). Both stay finite and
/// accurate for any float input: exp only ever sees a non-positive argument, so it cannot overflow.
/// </summary>
internal static class Activations
{
    public static float Sigmoid(float x)
    {
        // For x >= 0: 1 / (1 + e^-x); for x < 0: e^x / (1 + e^x). Either way exp's argument is <= 0.
        float e = MathF.Exp(-MathF.Abs(x));
        float r = 1f / (1f + e);
        return x >= 0f ? r : e * r;
    }

    public static float Tanh(float x)
    {
        float a = MathF.Abs(x);
        float t;
        if (a < 0.25f)
        {
            // Taylor series to x^9: (1 - e)/(1 + e) loses relative accuracy to cancellation near 0.
            float a2 = a * a;
            t = a * (1f + a2 * (-1f / 3f + a2 * (2f / 15f + a2 * (-17f / 315f + a2 * (62f / 2835f)))));
        }
        else
        {
            float e = MathF.Exp(-2f * a);
            t = (1f - e) / (1f + e);
        }
        return x < 0f ? -t : t;
    }
}

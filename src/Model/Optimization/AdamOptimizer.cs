using RecurrentAE.Kernels;

namespace RecurrentAE.Model.Optimization;

/// <summary>Adam over the flat parameter buffer: both moments live on the device and one launch updates every weight.</summary>
internal sealed class AdamOptimizer : IDisposable
{
    private readonly IComputeBackend _backend;
    private readonly DeviceArray _m, _v;

    public AdamOptimizer(IComputeBackend backend, int length)
    {
        _backend = backend;
        _m = backend.Allocate(length);
        _v = backend.Allocate(length);
    }

    public int Step { get; private set; }

    public void Apply(Slice parameters, Slice gradients, AdamSettings s)
    {
        Step++;
        _backend.Adam(parameters, gradients, _m.All, _v.All, new AdamStep(s, Step));
    }

    public OptimizerState GetState()
    {
        var m = new float[_m.Length];
        var v = new float[_v.Length];
        _backend.Download(_m.All, m);
        _backend.Download(_v.All, v);
        return new OptimizerState(Step, m, v);
    }

    public void SetState(OptimizerState state)
    {
        if (state.FirstMoment.Length != _m.Length || state.SecondMoment.Length != _v.Length)
            throw new ArgumentException($"optimizer state holds {state.FirstMoment.Length} values, the model has {_m.Length} parameters");
        _backend.Upload(state.FirstMoment, _m.All);
        _backend.Upload(state.SecondMoment, _v.All);
        Step = state.Step;
    }

    public void Dispose()
    {
        _m.Dispose();
        _v.Dispose();
    }
}

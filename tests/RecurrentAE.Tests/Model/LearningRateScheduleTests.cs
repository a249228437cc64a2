namespace RecurrentAE.Tests.Model;

/// <summary>Each schedule gives its documented rate at given steps (closed-form values), and the monitor and plateau
/// state replayed from a history follow Keras's EarlyStopping / ReduceLROnPlateau rules.</summary>
public class LearningRateScheduleTests
{
    const double Tol = 1e-9;

    static void Near(double expected, float actual) => Assert.True(Math.Abs(expected - actual) <= Tol + 1e-6 * Math.Abs(expected), $"expected {expected:G9}, got {actual:G9}");

    [Fact]
    public void ConstantIsTheBaseRateBitForBit()
    {
        var o = new TrainingOptions(LearningRate: 1e-3f);
        foreach (long step in new long[] { 0, 1, 999, 1_000_000 })
            Assert.Equal(1e-3f, LearningRateSchedules.Rate(o, step, 100, plateauReductions: 0));
    }

    [Fact]
    public void WarmupRisesLinearlyToTheBaseRate()
    {
        var o = new TrainingOptions(LearningRate: 0.01f, WarmupSteps: 4);
        Near(0.0025, LearningRateSchedules.Rate(o, 0, 10, 0));
        Near(0.005, LearningRateSchedules.Rate(o, 1, 10, 0));
        Near(0.0075, LearningRateSchedules.Rate(o, 2, 10, 0));
        Near(0.01, LearningRateSchedules.Rate(o, 3, 10, 0));
        Near(0.01, LearningRateSchedules.Rate(o, 4, 10, 0));
    }

    [Fact]
    public void CosineDecaysFromTheBaseToTheFloorOverTheEpochCap()
    {
        // 10 epochs of 10 steps: T = 100; floor = lr / 20 = 5e-4
        var o = new TrainingOptions(Epochs: 10, LearningRate: 0.01f, Schedule: LearningRateSchedule.Cosine);
        Near(0.01, LearningRateSchedules.Rate(o, 0, 10, 0));
        Near(0.0005 + 0.0095 * 0.5 * (1 + Math.Cos(Math.PI / 4)), LearningRateSchedules.Rate(o, 25, 10, 0)); // 0.008608757
        Near(0.00525, LearningRateSchedules.Rate(o, 50, 10, 0));
        Near(0.0005, LearningRateSchedules.Rate(o, 100, 10, 0));
        Near(0.0005, LearningRateSchedules.Rate(o, 150, 10, 0)); // past the cap (a resumed run with more epochs): the floor
        var floor = o with { MinLearningRate = 0.001f };
        Near(0.0055, LearningRateSchedules.Rate(floor, 50, 10, 0));
    }

    [Fact]
    public void CosineAfterAWarmupDecaysOverTheRemainingSteps()
    {
        var o = new TrainingOptions(Epochs: 10, LearningRate: 0.01f, Schedule: LearningRateSchedule.Cosine, WarmupSteps: 10);
        Near(0.005, LearningRateSchedules.Rate(o, 4, 10, 0)); // 5/10 of the base
        Near(0.01, LearningRateSchedules.Rate(o, 9, 10, 0));
        Near(0.01, LearningRateSchedules.Rate(o, 10, 10, 0));
        Near(0.00525, LearningRateSchedules.Rate(o, 55, 10, 0)); // p = 45/90 = 0.5
        Near(0.0005, LearningRateSchedules.Rate(o, 100, 10, 0));
    }

    [Fact]
    public void PlateauMultipliesByTheFactorPerReductionDownToTheFloor()
    {
        var o = new TrainingOptions(LearningRate: 0.01f, Schedule: LearningRateSchedule.Plateau, PlateauFactor: 0.5f);
        Near(0.01, LearningRateSchedules.Rate(o, 7, 10, 0));
        Near(0.005, LearningRateSchedules.Rate(o, 7, 10, 1));
        Near(0.000625, LearningRateSchedules.Rate(o, 7, 10, 4));
        Near(0.0005, LearningRateSchedules.Rate(o, 7, 10, 5)); // 0.0003125 is below the floor lr / 20
    }

    static List<EpochResult> History(params double[] valLosses) =>
        [.. valLosses.Select((v, i) => new EpochResult(i + 1, 10 + i, v, 1, 1))];

    [Fact]
    public void PlateauReductionsReplayKerasReduceLROnPlateau()
    {
        var o = new TrainingOptions(LearningRate: 0.01f, Schedule: LearningRateSchedule.Plateau, PlateauPatience: 2);
        // e1 best; e2 best; e3, e4 no improvement -> reduce (1); e5 wait; e6 best; e7, e8 -> reduce (2)
        var h = History(1.0, 0.9, 0.95, 0.96, 0.97, 0.8, 0.85, 0.86);
        Assert.Equal(0, LearningRateSchedules.PlateauReductions(o, h.Take(3).ToList()));
        Assert.Equal(1, LearningRateSchedules.PlateauReductions(o, h.Take(4).ToList()));
        Assert.Equal(1, LearningRateSchedules.PlateauReductions(o, h.Take(7).ToList()));
        Assert.Equal(2, LearningRateSchedules.PlateauReductions(o, h));
        // with min_delta 0.12 only e1 and e6 (0.8 < 1.0 - 0.12) improve: e2-e3 reduce, e4-e5 reduce, e7-e8 reduce
        Assert.Equal(3, LearningRateSchedules.PlateauReductions(o with { MinDelta = 0.12 }, h));
        // at the floor the rate stops dropping: factor 0.5 from 0.01 reaches lr/20 after 5 reductions
        var flat = History([.. Enumerable.Repeat(1.0, 40)]);
        Assert.Equal(5, LearningRateSchedules.PlateauReductions(o, flat));
        Assert.Equal(0, LearningRateSchedules.PlateauReductions(o with { Schedule = LearningRateSchedule.Cosine }, h));
    }

    [Fact]
    public void MonitorFindsTheBestEpochAndTheWait()
    {
        var h = History(1.0, 0.9, 0.95, 0.96);
        Assert.Equal(new MonitorState(2, 0.9, 2), LearningRateSchedules.Monitor(h, 0));
        Assert.Equal(new MonitorState(1, 1.0, 3), LearningRateSchedules.Monitor(h, 0.2));
        Assert.Equal(new MonitorState(0, double.PositiveInfinity, 0), LearningRateSchedules.Monitor([], 0));
        // no validation set: the training loss is monitored; NaN never improves
        var noValid = new List<EpochResult> { new(1, 2.0, double.NaN, 1, 1), new(2, 1.5, double.NaN, 1, 1), new(3, 1.7, double.NaN, 1, 1) };
        Assert.Equal(new MonitorState(2, 1.5, 1), LearningRateSchedules.Monitor(noValid, 0));
        Assert.False(LearningRateSchedules.Improves(double.NaN, 1, 0));
    }

    public static TheoryData<TrainingOptions, string> BadOptions() => new()
    {
        { new(EarlyStoppingPatience: 0), "EarlyStoppingPatience" },
        { new(EarlyStoppingPatience: -3), "EarlyStoppingPatience" },
        { new(MinDelta: -0.1), "MinDelta" },
        { new(MinDelta: double.NaN), "MinDelta" },
        { new(Schedule: (LearningRateSchedule)7), "Schedule" },
        { new(MinLearningRate: 0.5f), "MinLearningRate" },
        { new(MinLearningRate: -1e-5f), "MinLearningRate" },
        { new(PlateauFactor: 1f), "PlateauFactor" },
        { new(PlateauFactor: 0f), "PlateauFactor" },
        { new(PlateauPatience: 0), "PlateauPatience" },
        { new(WarmupSteps: -1), "WarmupSteps" },
        { new(ClipNorm: 0f), "ClipNorm" },
        { new(ClipNorm: float.PositiveInfinity), "ClipNorm" },
        { new(TimeLimit: TimeSpan.Zero), "TimeLimit" },
        { new(TeacherForcingDropout: 1f), "TeacherForcingDropout" },
        { new(LearningRate: float.NaN), "LearningRate" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void ValidateNamesTheBadSetting(TrainingOptions options, string setting)
    {
        var e = Assert.Throws<InvalidTrainingOptionException>(options.Validate);
        Assert.Equal(setting, e.Setting);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void TheDefaultsAreTheReferenceRun()
    {
        var o = new TrainingOptions();
        o.Validate();
        Assert.Equal((10, 32, 1e-3f, 42), (o.Epochs, o.BatchSize, o.LearningRate, o.Seed));
        Assert.Equal(LearningRateSchedule.Constant, o.Schedule);
        Assert.Null(o.EarlyStoppingPatience);
        Assert.Null(o.ClipNorm);
        Assert.Null(o.TimeLimit);
        Assert.Equal(0, o.WarmupSteps);
    }
}

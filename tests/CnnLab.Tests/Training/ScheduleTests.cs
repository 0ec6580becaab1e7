using CnnLab.Optimizers;
using CnnLab.Training;
using CnnLab.Training.Callbacks;
using CnnLab.Training.Schedules;

namespace CnnLab.Tests.Training;

/// <summary>Each schedule yields its known learning-rate curve, and Fit uses the rate the schedule sets.</summary>
public class ScheduleTests
{
    private static double[] Curve(LearningRateSchedule schedule, int steps, int stepsPerEpoch) =>
        Enumerable.Range(0, steps).Select(s => schedule.Rate(s, stepsPerEpoch)).ToArray();

    [Fact]
    public void One_cycle_matches_PyTorch_OneCycleLR()
    {
        // torch.optim.lr_scheduler.OneCycleLR(SGD(lr=0.1), max_lr=0.1, epochs=2, steps_per_epoch=5), PyTorch 1.13.
        var expected = new[]
        {
            0.0040000000000000036, 0.052000000000000005, 0.1, 0.09504846320134738, 0.0811745653949763,
            0.06112620219362893, 0.03887419780637107, 0.0188258346050237, 0.004951936798652629, 4e-07,
        };
        var actual = Curve(new OneCycle(0.1, epochs: 2), 10, 5);
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 12);
        }
    }

    [Fact]
    public void Step_decay_matches_PyTorch_StepLR()
    {
        // torch.optim.lr_scheduler.StepLR(SGD(lr=0.1), step_size=2, gamma=0.5), one value per epoch.
        Assert.Equal(new[] { 0.1, 0.1, 0.05, 0.05, 0.025, 0.025 }, Curve(new StepDecay(0.1, 2, 0.5), 6, 1));
        Assert.Equal(new[] { 0.1, 0.1, 0.1, 0.1, 0.05 }, Curve(new StepDecay(0.1, 2, 0.5), 5, 2));
    }

    [Fact]
    public void Cosine_decay_warms_up_linearly_then_follows_half_a_cosine_to_alpha()
    {
        var schedule = new CosineDecay(0.2, decayEpochs: 4, alpha: 0.1, warmupEpochs: 1);
        var curve = Curve(schedule, 7, 1);
        Assert.Equal(0.2, curve[0], 12); // one batch per epoch: the warm-up is that one batch
        Assert.Equal(0.2, curve[1], 12);
        Assert.Equal(0.2 * (0.9 * 0.5 * (1 + Math.Cos(Math.PI / 4)) + 0.1), curve[2], 12);
        Assert.Equal(0.2 * (0.9 * 0.5 + 0.1), curve[3], 12);
        Assert.Equal(0.02, curve[5], 12);
        Assert.Equal(0.02, curve[6], 12);
        // batch by batch
        Assert.Equal(new[] { 0.05, 0.1, 0.15, 0.2, 0.2 }, Enumerable.Range(0, 5).Select(s => Math.Round(schedule.Rate(s, 4), 12)));
    }

    [Fact]
    public void Schedules_that_end_before_they_start_are_errors()
    {
        Assert.Equal("Invalid value for argument `epochs`. Expected an integer >= 1 (the cycle must last). Received: epochs=0",
            TestSupport.KerasMessage(Assert.Throws<ArgumentException>(() => new OneCycle(0.1, 0))));
        Assert.Equal("Invalid value for argument `decayEpochs`. Expected a finite value > 0 (the schedule must last). Received: " +
            "decayEpochs=-2",
            TestSupport.KerasMessage(Assert.Throws<ArgumentException>(() => new CosineDecay(0.1, -2))));
        Assert.Equal("Invalid value for argument `pctStart`. Expected a value in (0, 1). Received: pctStart=1",
            TestSupport.KerasMessage(Assert.Throws<ArgumentException>(() => new OneCycle(0.1, 3, pctStart: 1))));
        Assert.Equal("Invalid value for argument `stepEpochs`. Expected an integer >= 1. Received: stepEpochs=0",
            TestSupport.KerasMessage(Assert.Throws<ArgumentException>(() => new StepDecay(0.1, 0))));
    }

    /// <summary>Records the learning rate at every batch.</summary>
    private sealed class RateProbe : Callback
    {
        public List<double> Rates { get; } = new();

        public override void OnBatchEnd(TrainingContext context, int batch, IReadOnlyDictionary<string, double> logs) =>
            Rates.Add(context.LearningRate);
    }

    [Fact]
    public void Fit_applies_the_scheduled_rate_to_the_optimizer_and_logs_it()
    {
        var (x, y) = TestSupport.Bars(40, seed: 4);
        var schedule = new OneCycle(0.05, epochs: 2);
        var probe = new RateProbe();
        using var scheduled = TestSupport.SmallCnn(seed: 1);
        scheduled.Compile(new SGD(0.01));
        var history = scheduled.Fit(x, y, new FitOptions
        {
            BatchSize = 10, Epochs = 2, Seed = 1, Verbose = 0, Callbacks = new Callback[] { new LearningRateScheduler(schedule), probe },
        });

        Assert.Equal(Curve(schedule, 8, 4), probe.Rates);
        Assert.Equal(new[] { probe.Rates[3], probe.Rates[7] }, history["learning_rate"]);

        // A per-epoch function that always answers 0.05 trains exactly as SGD(0.05) does: the rate reaches the optimizer.
        float[] Kernel(CnnLab.Models.Sequential model) => TestSupport.ToArray(((CnnLab.Layers.Conv2D)model.Layers[0]).Kernel);
        using var byFunction = TestSupport.SmallCnn(seed: 1);
        byFunction.Compile(new SGD(0.01));
        byFunction.Fit(x, y, new FitOptions { BatchSize = 10, Epochs = 2, Seed = 1, Verbose = 0,
            Callbacks = new[] { new LearningRateScheduler((_, _) => 0.05) } });
        using var constant = TestSupport.SmallCnn(seed: 1);
        constant.Compile(new SGD(0.05));
        constant.Fit(x, y, batchSize: 10, epochs: 2, seed: 1, verbose: 0);
        Assert.Equal(Kernel(constant), Kernel(byFunction));
    }
}

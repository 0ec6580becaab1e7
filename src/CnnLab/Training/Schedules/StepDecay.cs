namespace CnnLab.Training.Schedules;

/// <summary>Step decay (PyTorch's StepLR): initial * factor ^ floor(epoch / stepEpochs), constant within an epoch.</summary>
public sealed class StepDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule; stepEpochs >= 1, factor in (0, 1].</summary>
    public StepDecay(double initialRate, int stepEpochs, double factor = 0.1)
    {
        InitialRate = RequireRate(initialRate, nameof(initialRate));
        StepEpochs = stepEpochs >= 1 ? stepEpochs
            : throw new ArgumentException(Invalid(nameof(stepEpochs), stepEpochs, "an integer >= 1"), nameof(stepEpochs));
        Factor = factor > 0 && factor <= 1 ? factor
            : throw new ArgumentException(Invalid(nameof(factor), factor, "a value in (0, 1]"), nameof(factor));
    }

    /// <summary>Rate of the first epochs.</summary>
    public double InitialRate { get; }

    /// <summary>Epochs between two decays.</summary>
    public int StepEpochs { get; }

    /// <summary>Multiplier at each decay.</summary>
    public double Factor { get; }

    /// <inheritdoc />
    public override double Rate(long step, int stepsPerEpoch) => InitialRate * Math.Pow(Factor, step / stepsPerEpoch / StepEpochs);
}

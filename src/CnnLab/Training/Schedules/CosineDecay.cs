namespace CnnLab.Training.Schedules;

/// <summary>
/// Keras' CosineDecay, with optional linear warm-up: up to the initial rate over <see cref="WarmupEpochs"/> (batch k of
/// n warm-up batches gets k / n of it), then
/// initial * ((1 - alpha) * (1 + cos(pi * t / decay)) / 2 + alpha) for t epochs after the warm-up, alpha * initial after it.
/// </summary>
public sealed class CosineDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule; decayEpochs > 0, alpha in [0, 1], warmupEpochs >= 0.</summary>
    public CosineDecay(double initialRate, double decayEpochs, double alpha = 0, double warmupEpochs = 0)
    {
        InitialRate = RequireRate(initialRate, nameof(initialRate));
        DecayEpochs = decayEpochs > 0 && !double.IsInfinity(decayEpochs)
            ? decayEpochs
            : throw new ArgumentException(Invalid(nameof(decayEpochs), decayEpochs, "a finite value > 0 (the schedule must last)"),
                nameof(decayEpochs));
        Alpha = alpha >= 0 && alpha <= 1 ? alpha
            : throw new ArgumentException(Invalid(nameof(alpha), alpha, "a value in [0, 1]"), nameof(alpha));
        WarmupEpochs = warmupEpochs >= 0 && !double.IsInfinity(warmupEpochs)
            ? warmupEpochs
            : throw new ArgumentException(Invalid(nameof(warmupEpochs), warmupEpochs, "a finite value >= 0"), nameof(warmupEpochs));
    }

    /// <summary>Peak rate, reached after the warm-up.</summary>
    public double InitialRate { get; }

    /// <summary>Length of the cosine, after the warm-up.</summary>
    public double DecayEpochs { get; }

    /// <summary>Final rate as a fraction of the initial one.</summary>
    public double Alpha { get; }

    /// <summary>Length of the linear warm-up from 0.</summary>
    public double WarmupEpochs { get; }

    /// <inheritdoc />
    public override double Rate(long step, int stepsPerEpoch)
    {
        var epoch = (double)step / stepsPerEpoch;
        if (epoch < WarmupEpochs)
        {
            // Counting the batch about to run, so the first rate is above 0 and the warm-up ends at the initial rate.
            return InitialRate * Math.Min(1, (step + 1.0) / stepsPerEpoch / WarmupEpochs);
        }
        var t = Math.Min(epoch - WarmupEpochs, DecayEpochs);
        return InitialRate * ((1 - Alpha) * 0.5 * (1 + Math.Cos(Math.PI * t / DecayEpochs)) + Alpha);
    }
}

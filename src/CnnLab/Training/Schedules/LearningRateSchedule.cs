using System.Globalization;

namespace CnnLab.Training.Schedules;

/// <summary>
/// A learning rate as a function of the training step (batches done since the first epoch), evaluated before every
/// batch by <see cref="Callbacks.LearningRateScheduler"/>. Durations are given in epochs, so a schedule does not
/// depend on the batch size; fractions of an epoch are reached batch by batch.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>The rate for the batch after <paramref name="step"/> batches,
    /// with <paramref name="stepsPerEpoch"/> batches per epoch.</summary>
    public abstract double Rate(long step, int stepsPerEpoch);

    /// <summary>Checks a learning rate: finite and > 0.</summary>
    protected static double RequireRate(double value, string name) => value > 0 && !double.IsInfinity(value)
        ? value
        : throw new ArgumentException(Invalid(name, value, "a finite value > 0"), name);

    /// <summary>The Keras-style message for an argument out of range.</summary>
    protected static string Invalid(string name, double value, string expected) =>
        string.Create(CultureInfo.InvariantCulture, $"Invalid value for argument `{name}`. Expected {expected}. Received: {name}={value}");
}

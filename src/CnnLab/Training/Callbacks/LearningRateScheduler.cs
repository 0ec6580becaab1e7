using CnnLab.Training.Schedules;

namespace CnnLab.Training.Callbacks;

/// <summary>
/// Sets the learning rate from a schedule: a <see cref="LearningRateSchedule"/> before every batch (step, cosine,
/// one-cycle), or, as Keras' LearningRateScheduler, a function of (epoch, current rate) before every epoch.
/// The epoch logs carry learning_rate, the rate of that epoch's last batch.
/// </summary>
public sealed class LearningRateScheduler : Callback
{
    private readonly LearningRateSchedule? _schedule;
    private readonly Func<int, double, double>? _perEpoch;

    /// <summary>Applies <paramref name="schedule"/> before every batch.</summary>
    public LearningRateScheduler(LearningRateSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        _schedule = schedule;
    }

    /// <summary>Keras' form: before each epoch, rate = schedule(epoch from 0, current rate).</summary>
    public LearningRateScheduler(Func<int, double, double> schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        _perEpoch = schedule;
    }

    /// <summary>The per-batch schedule, or null for a per-epoch function.</summary>
    public LearningRateSchedule? Schedule => _schedule;

    /// <inheritdoc />
    public override void OnTrainBegin(TrainingContext context) => context.LogLearningRate = true;

    /// <inheritdoc />
    public override void OnEpochBegin(TrainingContext context, int epoch)
    {
        if (_perEpoch is not null)
        {
            context.LearningRate = _perEpoch(epoch, context.LearningRate);
        }
    }

    /// <inheritdoc />
    public override void OnBatchBegin(TrainingContext context, int batch)
    {
        if (_schedule is not null)
        {
            context.LearningRate = _schedule.Rate(context.Step, context.BatchesPerEpoch);
        }
    }
}

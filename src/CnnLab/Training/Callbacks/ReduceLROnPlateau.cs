using System.Globalization;

namespace CnnLab.Training.Callbacks;

/// <summary>
/// Keras' ReduceLROnPlateau: when <see cref="Monitor"/> has not improved by more than min_delta for
/// <see cref="Patience"/> epochs, multiplies the learning rate by <see cref="Factor"/> (never below
/// <see cref="MinLearningRate"/>), then waits <see cref="Cooldown"/> epochs before counting again.
/// </summary>
public sealed class ReduceLROnPlateau : Callback
{
    private readonly MonitoredMetric _metric;
    private int _wait;
    private int _cooldownCounter;

    /// <summary>Creates the callback. Defaults as Keras: val_loss, factor 0.1,
    /// patience 10, mode auto, min_delta 1e-4, cooldown 0, min_lr 0.</summary>
    public ReduceLROnPlateau(string monitor = "val_loss", double factor = 0.1, int patience = 10, string mode = "auto",
        double minDelta = 1e-4, int cooldown = 0, double minLearningRate = 0)
    {
        _metric = new MonitoredMetric(nameof(ReduceLROnPlateau), monitor, mode, minDelta);
        if (!(factor > 0 && factor < 1))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Invalid value for argument `factor`. Expected a value in (0, 1): ReduceLROnPlateau does not support a factor >= 1. " +
                $"Received: factor={factor}"), nameof(factor));
        }
        if (patience < 0)
        {
            throw new ArgumentException($"Invalid value for argument `patience`. Expected a value >= 0. Received: patience={patience}",
                nameof(patience));
        }
        if (cooldown < 0)
        {
            throw new ArgumentException($"Invalid value for argument `cooldown`. Expected a value >= 0. Received: cooldown={cooldown}",
                nameof(cooldown));
        }
        if (!(minLearningRate >= 0) || double.IsInfinity(minLearningRate))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Invalid value for argument `minLearningRate`. Expected a finite value >= 0. Received: minLearningRate={minLearningRate}"),
                nameof(minLearningRate));
        }
        Factor = factor;
        Patience = patience;
        Cooldown = cooldown;
        MinLearningRate = minLearningRate;
    }

    /// <summary>The metric watched.</summary>
    public string Monitor => _metric.Name;

    /// <summary>Multiplier of the learning rate at each reduction.</summary>
    public double Factor { get; }

    /// <summary>Epochs without improvement before a reduction.</summary>
    public int Patience { get; }

    /// <summary>Epochs after a reduction during which no new one is counted.</summary>
    public int Cooldown { get; }

    /// <summary>Floor of the learning rate.</summary>
    public double MinLearningRate { get; }

    /// <summary>Best value seen so far.</summary>
    public double Best { get; private set; }

    /// <inheritdoc />
    public override void OnTrainBegin(TrainingContext context)
    {
        context.LogLearningRate = true;
        Best = _metric.Worst;
        _wait = 0;
        _cooldownCounter = 0;
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context, int epoch, IReadOnlyDictionary<string, double> logs)
    {
        var current = _metric.Read(logs);
        if (_cooldownCounter > 0)
        {
            _cooldownCounter--;
            _wait = 0;
        }
        if (_metric.Improves(current, Best))
        {
            Best = current;
            _wait = 0;
        }
        else if (_cooldownCounter == 0)
        {
            _wait++;
            // Compared in float32, as Keras does, so a rate already at the floor is not "reduced" to itself forever.
            if (_wait >= Patience && (float)context.LearningRate > (float)MinLearningRate)
            {
                context.LearningRate = Math.Max(context.LearningRate * Factor, MinLearningRate);
                _cooldownCounter = Cooldown;
                _wait = 0;
            }
        }
    }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, double> GetState() => new Dictionary<string, double>
    {
        ["best"] = Best,
        ["wait"] = _wait,
        ["cooldown_counter"] = _cooldownCounter,
    };

    /// <inheritdoc />
    public override void SetState(IReadOnlyDictionary<string, double> state)
    {
        Best = state["best"];
        _wait = (int)state["wait"];
        _cooldownCounter = (int)state["cooldown_counter"];
    }
}

using System.Globalization;

namespace CnnLab.Training.Callbacks;

/// <summary>
/// The metric a callback watches (EarlyStopping, ReduceLROnPlateau, ModelCheckpoint): its direction (Keras' mode:
/// auto means max for accuracies, min otherwise), what counts as an improvement, and a strict lookup — a metric the
/// epoch does not log is an error listing the ones it does, not a silent no-op.
/// </summary>
internal sealed class MonitoredMetric
{
    private readonly string _callback;

    public MonitoredMetric(string callback, string monitor, string mode, double minDelta)
    {
        if (string.IsNullOrEmpty(monitor))
        {
            throw new ArgumentException("Invalid value for argument `monitor`. Expected a metric name such as val_loss or val_accuracy.",
                nameof(monitor));
        }
        if (!(minDelta >= 0) || double.IsInfinity(minDelta))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Invalid value for argument `minDelta`. Expected a finite value >= 0. Received: minDelta={minDelta}"), nameof(minDelta));
        }
        Maximize = mode switch
        {
            "min" => false,
            "max" => true,
            "auto" => monitor.Contains("acc", StringComparison.Ordinal),
            _ => throw new ArgumentException($"Invalid value for argument `mode`. Expected one of: auto, min, max. Received: mode={mode}",
                nameof(mode)),
        };
        _callback = callback;
        Name = monitor;
        MinDelta = minDelta;
    }

    public string Name { get; }

    public bool Maximize { get; }

    public double MinDelta { get; }

    /// <summary>The starting "best": the worst possible value.</summary>
    public double Worst => Maximize ? double.NegativeInfinity : double.PositiveInfinity;

    public bool Improves(double current, double best) => Maximize ? current > best + MinDelta : current < best - MinDelta;

    public double Read(IReadOnlyDictionary<string, double> logs) => logs.TryGetValue(Name, out var value)
        ? value
        : throw new InvalidOperationException(
            $"{_callback} monitors \"{Name}\", which this training does not log. Available metrics: {string.Join(", ", logs.Keys)}. " +
            "Use one of them, or pass validation data to log the val_ ones.");
}

using System.Globalization;
using System.Text;

namespace CnnLab.Training;

/// <summary>
/// What Fit returns: one value per epoch for each metric, as Keras' <c>History.history</c>
/// (loss, accuracy, val_loss, val_accuracy), plus the seconds each epoch took. As in Keras, it is the callback that
/// records them, after the user's callbacks have seen the epoch.
/// </summary>
public sealed class History : Callback
{
    private readonly Dictionary<string, List<double>> _values = new();
    private readonly List<double> _epochSeconds = new();

    /// <summary>Metric name to per-epoch values, in the order metrics were first logged.</summary>
    public IReadOnlyDictionary<string, List<double>> Values => _values;

    /// <summary>Wall-clock seconds of each epoch, validation included.</summary>
    public IReadOnlyList<double> EpochSeconds => _epochSeconds;

    /// <summary>The dtype policy the training computed with (mixed_bfloat16 falls back to float32 where unsupported).</summary>
    public Engine.Precision Precision { get; internal set; }

    /// <summary>Number of epochs recorded.</summary>
    public int Epochs => _epochSeconds.Count;

    /// <summary>Training loss per epoch.</summary>
    public IReadOnlyList<double> Loss => Get("loss");

    /// <summary>Training accuracy per epoch.</summary>
    public IReadOnlyList<double> Accuracy => Get("accuracy");

    /// <summary>Validation loss per epoch (empty without validation).</summary>
    public IReadOnlyList<double> ValLoss => Get("val_loss");

    /// <summary>Validation accuracy per epoch (empty without validation).</summary>
    public IReadOnlyList<double> ValAccuracy => Get("val_accuracy");

    /// <summary>The values of one metric; an unknown name is an error listing the known ones.</summary>
    public IReadOnlyList<double> this[string metric] => _values.TryGetValue(metric, out var list)
        ? list
        : throw new KeyNotFoundException($"History has no metric \"{metric}\". Available: {string.Join(", ", _values.Keys)}.");

    /// <summary>Records one epoch.</summary>
    public void Append(IReadOnlyDictionary<string, double> logs, double seconds)
    {
        ArgumentNullException.ThrowIfNull(logs);
        foreach (var (name, value) in logs)
        {
            if (!_values.TryGetValue(name, out var list))
            {
                list = new List<double>();
                _values[name] = list;
            }
            list.Add(value);
        }
        _epochSeconds.Add(seconds);
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context, int epoch, IReadOnlyDictionary<string, double> logs)
    {
        ArgumentNullException.ThrowIfNull(context);
        Append(logs, context.EpochSeconds);
    }

    /// <summary>A table, one row per epoch.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        var names = _values.Keys.ToList();
        text.Append("epoch").Append(string.Concat(names.Select(n => $"  {n,12}"))).AppendLine("  seconds");
        for (var e = 0; e < Epochs; e++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{e + 1,5}");
            foreach (var name in names)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {_values[name][e],12:F4}");
            }
            text.AppendLine(CultureInfo.InvariantCulture, $"  {_epochSeconds[e],7:F1}");
        }
        return text.ToString();
    }

    private IReadOnlyList<double> Get(string name) => _values.TryGetValue(name, out var list) ? list : Array.Empty<double>();
}

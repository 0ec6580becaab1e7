using System.Globalization;
using System.Text.RegularExpressions;

namespace CnnLab.Training.Callbacks;

/// <summary>
/// Keras' ModelCheckpoint: saves the model (architecture and weights, <see cref="ITrainableModel.Save"/>'s format)
/// at the end of every epoch, or with save_best_only only when <see cref="Monitor"/> improved. The path may name the
/// epoch and any logged metric, Python-style: "ckpt/epoch{epoch:02d}-{val_accuracy:.4f}.safetensors". Each file is
/// written to a temporary name, then renamed.
/// </summary>
public sealed partial class ModelCheckpoint : Callback
{
    private readonly MonitoredMetric _metric;

    /// <summary>Creates the callback. Defaults as Keras: val_loss, mode auto, save every epoch.</summary>
    public ModelCheckpoint(string filepath, string monitor = "val_loss", string mode = "auto", bool saveBestOnly = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(filepath);
        _metric = new MonitoredMetric(nameof(ModelCheckpoint), monitor, mode, 0);
        Filepath = filepath;
        SaveBestOnly = saveBestOnly;
    }

    /// <summary>The path pattern.</summary>
    public string Filepath { get; }

    /// <summary>The metric compared with save_best_only.</summary>
    public string Monitor => _metric.Name;

    /// <summary>Whether only improvements are saved.</summary>
    public bool SaveBestOnly { get; }

    /// <summary>Best value seen so far.</summary>
    public double Best { get; private set; } = double.NaN;

    /// <summary>The files written, in order.</summary>
    public IReadOnlyList<string> Saved => _saved;

    private readonly List<string> _saved = new();

    /// <inheritdoc />
    public override void OnTrainBegin(TrainingContext context)
    {
        if (context.InitialEpoch == 0)
        {
            Best = _metric.Worst;
            _saved.Clear();
        }
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context, int epoch, IReadOnlyDictionary<string, double> logs)
    {
        if (SaveBestOnly)
        {
            var current = _metric.Read(logs);
            if (!_metric.Improves(current, Best))
            {
                return;
            }
            Best = current;
        }
        var path = FormatPath(Filepath, epoch + 1, logs);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        context.Model.Save(path);
        _saved.Add(path);
    }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, double> GetState() => new Dictionary<string, double> { ["best"] = Best };

    /// <inheritdoc />
    public override void SetState(IReadOnlyDictionary<string, double> state) => Best = state["best"];

    /// <summary>Fills {epoch}, {epoch:02d}, {name:.4f} and similar placeholders;
    /// an unknown name is an error listing the known ones.</summary>
    internal static string FormatPath(string pattern, int epoch, IReadOnlyDictionary<string, double> logs) =>
        Placeholder().Replace(pattern, match =>
        {
            var name = match.Groups["name"].Value;
            var spec = match.Groups["spec"].Value;
            if (name == "epoch")
            {
                var width = spec.EndsWith('d') && int.TryParse(spec.TrimStart('0').TrimEnd('d'), out var w) ? w : 0;
                return epoch.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0');
            }
            if (!logs.TryGetValue(name, out var value))
            {
                throw new InvalidOperationException(
                    $"ModelCheckpoint path \"{pattern}\" names {{{name}}}, which this training does not log. Available: epoch, " +
                    $"{string.Join(", ", logs.Keys)}.");
            }
            var digits = spec.StartsWith('.') && spec.EndsWith('f') && int.TryParse(spec[1..^1], out var d) ? d : 4;
            return value.ToString("F" + digits, CultureInfo.InvariantCulture);
        });

    [GeneratedRegex(@"\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(:(?<spec>[^}]*))?\}")]
    private static partial Regex Placeholder();
}

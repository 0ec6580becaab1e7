using TorchSharp;
using TorchSharp.Modules;

namespace CnnLab.Training.Callbacks;

/// <summary>
/// Keras' TensorBoard callback, through TorchSharp's SummaryWriter: after every epoch, the scalars epoch_loss,
/// epoch_accuracy (and epoch_learning_rate when logged) under <c>LOGDIR/train</c> and the validation ones under
/// <c>LOGDIR/validation</c>, at step = epoch (from 0); with <see cref="HistogramFrequency"/> N, a histogram of every
/// weight every N epochs. View with <c>tensorboard --logdir LOGDIR</c>.
/// </summary>
public sealed class TensorBoard : Callback
{
    private SummaryWriter? _train;
    private SummaryWriter? _validation;

    /// <summary>Creates the callback; histograms every <paramref name="histogramFrequency"/> epochs, 0 for none (Keras' default).</summary>
    public TensorBoard(string logDir = "logs", int histogramFrequency = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(logDir);
        if (histogramFrequency < 0)
        {
            throw new ArgumentException(
                $"Invalid value for argument `histogramFrequency`. Expected a value >= 0. Received: " +
                $"histogramFrequency={histogramFrequency}", nameof(histogramFrequency));
        }
        LogDir = logDir;
        HistogramFrequency = histogramFrequency;
    }

    /// <summary>The folder of the event files.</summary>
    public string LogDir { get; }

    /// <summary>Epochs between weight histograms; 0 for none.</summary>
    public int HistogramFrequency { get; }

    /// <inheritdoc />
    public override void OnTrainBegin(TrainingContext context)
    {
        _train = torch.utils.tensorboard.SummaryWriter(Path.Combine(LogDir, "train"));
        _validation = torch.utils.tensorboard.SummaryWriter(Path.Combine(LogDir, "validation"));
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context, int epoch, IReadOnlyDictionary<string, double> logs)
    {
        var train = _train ?? throw new InvalidOperationException("TensorBoard received an epoch before training began.");
        foreach (var (name, value) in logs)
        {
            var isValidation = name.StartsWith("val_", StringComparison.Ordinal);
            var writer = isValidation ? _validation! : train;
            writer.add_scalar("epoch_" + (isValidation ? name[4..] : name), (float)value, epoch);
        }
        if (HistogramFrequency > 0 && (epoch + 1) % HistogramFrequency == 0)
        {
            foreach (var (name, tensor) in context.Model.Module.state_dict())
            {
                using var values = tensor.detach().cpu();
                train.add_histogram(name, values, epoch);
            }
        }
    }
}

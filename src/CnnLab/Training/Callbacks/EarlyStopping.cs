using static TorchSharp.torch;

namespace CnnLab.Training.Callbacks;

/// <summary>
/// Keras' EarlyStopping: stops training when <see cref="Monitor"/> has not improved by more than
/// <see cref="MinDelta"/> for <see cref="Patience"/> epochs, optionally restoring the weights of the best epoch.
/// A monitored metric that the epoch does not log is an error listing the ones it does (Lightning's strict mode).
/// </summary>
public sealed class EarlyStopping : Callback, IDisposable
{
    private readonly MonitoredMetric _metric;
    private Dictionary<string, Tensor>? _bestWeights;
    private int _wait;

    /// <summary>Creates the callback. Defaults as Keras: val_loss, min_delta 0, patience 0, mode auto, no restore.</summary>
    public EarlyStopping(string monitor = "val_loss", double minDelta = 0, int patience = 0, string mode = "auto",
        bool restoreBestWeights = false)
    {
        _metric = new MonitoredMetric(nameof(EarlyStopping), monitor, mode, minDelta);
        if (patience < 0)
        {
            throw new ArgumentException($"Invalid value for argument `patience`. Expected a value >= 0. Received: patience={patience}",
                nameof(patience));
        }
        Patience = patience;
        RestoreBestWeights = restoreBestWeights;
    }

    /// <summary>The metric watched, e.g. val_loss or val_accuracy.</summary>
    public string Monitor => _metric.Name;

    /// <summary>Smallest change that counts as an improvement.</summary>
    public double MinDelta => _metric.MinDelta;

    /// <summary>Epochs without improvement tolerated before stopping.</summary>
    public int Patience { get; }

    /// <summary>Whether larger is better (mode max, or auto on an accuracy).</summary>
    public bool Maximize => _metric.Maximize;

    /// <summary>Whether the best epoch's weights are put back when training stops early.</summary>
    public bool RestoreBestWeights { get; }

    /// <summary>Best value seen so far.</summary>
    public double Best { get; private set; }

    /// <summary>Epoch (from 1) of the best value; 0 before any.</summary>
    public int BestEpoch { get; private set; }

    /// <summary>Epoch (from 1) after which training was stopped; 0 when it was not.</summary>
    public int StoppedEpoch { get; private set; }

    /// <inheritdoc />
    public override void OnTrainBegin(TrainingContext context)
    {
        Best = _metric.Worst;
        BestEpoch = 0;
        StoppedEpoch = 0;
        _wait = 0;
        DisposeBest();
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context, int epoch, IReadOnlyDictionary<string, double> logs)
    {
        var current = _metric.Read(logs);
        _wait++;
        if (_metric.Improves(current, Best))
        {
            Best = current;
            BestEpoch = epoch + 1;
            _wait = 0;
            if (RestoreBestWeights)
            {
                KeepWeights(context.Model);
            }
            return;
        }
        if (_wait >= Patience && epoch > 0)
        {
            StoppedEpoch = epoch + 1;
            context.StopTraining = true;
            if (RestoreBestWeights && _bestWeights is not null)
            {
                using var _ = no_grad();
                foreach (var (name, tensor) in context.Model.Module.state_dict())
                {
                    tensor.copy_(_bestWeights[name]);
                }
            }
        }
    }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, double> GetState() => new Dictionary<string, double>
    {
        ["best"] = Best,
        ["best_epoch"] = BestEpoch,
        ["wait"] = _wait,
        ["stopped_epoch"] = StoppedEpoch,
    };

    /// <inheritdoc />
    public override void SetState(IReadOnlyDictionary<string, double> state)
    {
        Best = state["best"];
        BestEpoch = (int)state["best_epoch"];
        _wait = (int)state["wait"];
        StoppedEpoch = (int)state["stopped_epoch"];
    }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, Tensor> GetStateTensors() => _bestWeights ?? new Dictionary<string, Tensor>();

    /// <inheritdoc />
    public override void SetStateTensors(IReadOnlyDictionary<string, Tensor> tensors)
    {
        DisposeBest();
        _bestWeights = tensors.Count > 0 ? tensors.ToDictionary(kv => kv.Key, kv => kv.Value) : null;
    }

    /// <summary>Releases the kept copy of the best weights.</summary>
    public void Dispose() => DisposeBest();

    private void KeepWeights(ITrainableModel model)
    {
        DisposeBest();
        using var _ = no_grad();
        _bestWeights = model.Module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());
    }

    private void DisposeBest()
    {
        if (_bestWeights is null)
        {
            return;
        }
        foreach (var tensor in _bestWeights.Values)
        {
            tensor.Dispose();
        }
        _bestWeights = null;
    }
}

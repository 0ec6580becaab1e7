using static TorchSharp.torch;

namespace CnnLab.Training.Callbacks;

/// <summary>
/// Keras 3's <c>use_ema</c> (an optimizer argument there, <see cref="Optimizers.Optimizer.UseEma"/> here): after every
/// step each trainable weight's moving average becomes <c>momentum * average + (1 - momentum) * weight</c> (the first
/// step copies the weight), and when the Fit ends the weights are replaced by their averages, before the other callbacks'
/// end (Keras' <c>finalize_variable_values</c>). Validation during training sees the weights as trained, as in Keras.
/// The averages are part of an epoch checkpoint, so a resumed Fit continues them exactly.
/// </summary>
internal sealed class WeightAverage(double momentum) : Callback, IDisposable
{
    private Dictionary<string, Tensor>? _averages;

    /// <inheritdoc />
    public override void OnBatchEnd(TrainingContext context, int batch, IReadOnlyDictionary<string, double> logs)
    {
        using var _ = no_grad();
        var weights = Trainable(context.Model);
        if (_averages is null)
        {
            _averages = weights.ToDictionary(w => w.Name, w => w.Weight.detach().clone().DetachFromDisposeScope());
            return;
        }
        foreach (var (name, weight) in weights)
        {
            var average = _averages[name];
            // TorchSharp's Device has no value equality: compare its parts.
            if (average.device_type != weight.device_type || average.device_index != weight.device_index)
            {
                // A checkpoint's averages are read onto the CPU; a model resumed on a GPU takes them along.
                _averages[name] = average.to(weight.device).DetachFromDisposeScope();
                average.Dispose();
            }
            _averages[name].mul_(momentum).add_(weight, alpha: 1 - momentum);
        }
    }

    /// <inheritdoc />
    public override void OnTrainEnd(TrainingContext context)
    {
        if (_averages is null)
        {
            return;
        }
        using var _ = no_grad();
        foreach (var (name, weight) in Trainable(context.Model))
        {
            weight.copy_(_averages[name]);
        }
    }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, Tensor> GetStateTensors() => _averages ?? new Dictionary<string, Tensor>();

    /// <inheritdoc />
    public override void SetStateTensors(IReadOnlyDictionary<string, Tensor> tensors)
    {
        Dispose();
        _averages = tensors.Count > 0 ? tensors.ToDictionary(kv => kv.Key, kv => kv.Value) : null;
    }

    /// <summary>Releases the averages.</summary>
    public void Dispose()
    {
        foreach (var average in _averages?.Values ?? Enumerable.Empty<Tensor>())
        {
            average.Dispose();
        }
        _averages = null;
    }

    private static List<(string Name, Tensor Weight)> Trainable(ITrainableModel model) =>
        model.Module.named_parameters().Where(p => p.parameter.requires_grad).Select(p => (p.name, (Tensor)p.parameter)).ToList();
}

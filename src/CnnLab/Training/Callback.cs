namespace CnnLab.Training;

/// <summary>
/// A hook into training. Every event the trainer raises is listed here, in the order they happen:
/// train begin, (epoch begin, (batch begin, batch end)*, epoch end)*, train end.
/// A callback steers training through <see cref="TrainingContext"/>: its learning rate and whether to stop.
/// </summary>
public abstract class Callback
{
    /// <summary>Before the first epoch.</summary>
    public virtual void OnTrainBegin(TrainingContext context)
    {
    }

    /// <summary>Before each epoch; <paramref name="epoch"/> counts from 0.</summary>
    public virtual void OnEpochBegin(TrainingContext context, int epoch)
    {
    }

    /// <summary>Before each batch.</summary>
    public virtual void OnBatchBegin(TrainingContext context, int batch)
    {
    }

    /// <summary>After each batch, with the running means of the epoch so far (loss, accuracy) and the samples seen.</summary>
    public virtual void OnBatchEnd(TrainingContext context, int batch, IReadOnlyDictionary<string, double> logs)
    {
    }

    /// <summary>After each epoch, with the epoch's metrics, validation ones included.</summary>
    public virtual void OnEpochEnd(TrainingContext context, int epoch, IReadOnlyDictionary<string, double> logs)
    {
    }

    /// <summary>After the last epoch, or after a callback stopped training.</summary>
    public virtual void OnTrainEnd(TrainingContext context)
    {
    }

    /// <summary>
    /// What the callback has learnt so far (best value, epochs waited...), saved by an epoch checkpoint so a resumed
    /// Fit continues exactly; empty for callbacks without state.
    /// </summary>
    public virtual IReadOnlyDictionary<string, double> GetState() => new Dictionary<string, double>();

    /// <summary>Puts back a state from <see cref="GetState"/>; called after <see cref="OnTrainBegin"/> when a Fit resumes.</summary>
    public virtual void SetState(IReadOnlyDictionary<string, double> state)
    {
    }

    /// <summary>Tensors that belong to the state (kept weights), saved beside it; empty for most callbacks.</summary>
    public virtual IReadOnlyDictionary<string, TorchSharp.torch.Tensor> GetStateTensors() =>
        new Dictionary<string, TorchSharp.torch.Tensor>();

    /// <summary>Puts back the tensors of <see cref="GetStateTensors"/>; the callback takes ownership.</summary>
    public virtual void SetStateTensors(IReadOnlyDictionary<string, TorchSharp.torch.Tensor> tensors)
    {
    }
}

namespace CnnLab.Training;

/// <summary>
/// A hook into training. Every event the trainer raises is listed here, in the order they happen:
/// train begin, (epoch begin, (batch begin, batch end)*, epoch end)*, train end.
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
}

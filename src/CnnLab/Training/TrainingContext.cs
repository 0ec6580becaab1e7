namespace CnnLab.Training;

/// <summary>What callbacks can see of a running Fit, and the one thing they may change: whether it stops.</summary>
public sealed class TrainingContext
{
    internal TrainingContext(Models.Sequential model, int epochs, int trainSamples, int batchSize, int validationSamples)
    {
        Model = model;
        Epochs = epochs;
        TrainSamples = trainSamples;
        BatchSize = batchSize;
        ValidationSamples = validationSamples;
    }

    /// <summary>The model being trained.</summary>
    public Models.Sequential Model { get; }

    /// <summary>Number of epochs asked for.</summary>
    public int Epochs { get; }

    /// <summary>Samples per epoch (after the validation split).</summary>
    public int TrainSamples { get; }

    /// <summary>Samples per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Samples held out for validation; 0 without validation.</summary>
    public int ValidationSamples { get; }

    /// <summary>Batches per epoch.</summary>
    public int BatchesPerEpoch => (TrainSamples + BatchSize - 1) / BatchSize;

    /// <summary>Set by a callback to end training after the current epoch.</summary>
    public bool StopTraining { get; set; }
}

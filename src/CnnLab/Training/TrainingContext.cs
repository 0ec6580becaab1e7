using System.Globalization;

namespace CnnLab.Training;

/// <summary>
/// What callbacks can see of a running Fit, and what they may change: the learning rate (applied to the optimizer
/// before the next batch) and whether training stops.
/// </summary>
public sealed class TrainingContext
{
    private double _learningRate;

    internal TrainingContext(ITrainableModel model, int epochs, int trainSamples, int batchSize, int validationSamples, double learningRate)
    {
        Model = model;
        Epochs = epochs;
        TrainSamples = trainSamples;
        BatchSize = batchSize;
        ValidationSamples = validationSamples;
        _learningRate = learningRate;
    }

    /// <summary>The model being trained.</summary>
    public ITrainableModel Model { get; }

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

    /// <summary>The epoch (from 0) this Fit started at: 0, or the epoch after the last checkpoint when it resumed.</summary>
    public int InitialEpoch { get; internal set; }

    /// <summary>Batches trained since the first epoch (a resumed Fit counts the epochs before the interruption).</summary>
    public long Step { get; internal set; }

    /// <summary>Wall-clock seconds of the epoch that just ended, validation included; set before its epoch-end callbacks.</summary>
    public double EpochSeconds { get; internal set; }

    /// <summary>The optimizer's learning rate; a callback that sets it changes the rate of the following batches.</summary>
    public double LearningRate
    {
        get => _learningRate;
        set => _learningRate = value > 0 && !double.IsInfinity(value)
            ? value
            : throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Invalid learning rate {value} set by a callback. Expected a finite value > 0."), nameof(value));
    }

    /// <summary>Set by a callback to end training: after the current batch (Keras' TerminateOnNaN) or epoch.</summary>
    public bool StopTraining { get; set; }

    /// <summary>Whether the epoch logs carry learning_rate: true once a callback that changes it is attached.</summary>
    public bool LogLearningRate { get; set; }
}

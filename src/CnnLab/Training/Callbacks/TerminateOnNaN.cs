namespace CnnLab.Training.Callbacks;

/// <summary>Keras' TerminateOnNaN: stops training after the batch whose running loss is NaN or infinite.</summary>
public sealed class TerminateOnNaN : Callback
{
    private readonly TextWriter _log;

    /// <summary>Creates the callback; the message goes to <paramref name="log"/> (standard error by default).</summary>
    public TerminateOnNaN(TextWriter? log = null) => _log = log ?? Console.Error;

    /// <summary>Batch (from 0, within its epoch) after which training stopped; null when it did not.</summary>
    public int? TerminatedAtBatch { get; private set; }

    /// <inheritdoc />
    public override void OnTrainBegin(TrainingContext context) => TerminatedAtBatch = null;

    /// <inheritdoc />
    public override void OnBatchEnd(TrainingContext context, int batch, IReadOnlyDictionary<string, double> logs)
    {
        if (logs.TryGetValue("loss", out var loss) && !double.IsFinite(loss))
        {
            _log.WriteLine($"Batch {batch}: Invalid loss, terminating training");
            TerminatedAtBatch = batch;
            context.StopTraining = true;
        }
    }
}

using static TorchSharp.torch;

namespace CnnLab.Training;

/// <summary>
/// Epoch checkpoints as a callback, last in the list so the History and every other callback have seen the epoch:
/// at train begin it restores the last checkpoint (the Fit then starts at <see cref="TrainingContext.InitialEpoch"/>),
/// at each epoch end it writes one.
/// </summary>
internal sealed class Checkpointing : Callback
{
    private readonly EpochCheckpoint _checkpoint;
    private readonly optim.Optimizer _optimizer;
    private readonly IReadOnlyList<Generator?> _generators;
    private readonly History _history;
    private readonly IReadOnlyList<Callback> _userCallbacks;

    public Checkpointing(string folder, optim.Optimizer optimizer, IReadOnlyList<Generator?> generators, History history,
        IReadOnlyList<Callback> userCallbacks)
    {
        _checkpoint = new EpochCheckpoint(folder);
        _optimizer = optimizer;
        _generators = generators;
        _history = history;
        _userCallbacks = userCallbacks;
    }

    public override void OnTrainBegin(TrainingContext context)
    {
        var firstEpoch = _checkpoint.Restore(context.Model, _optimizer, _generators, _history, context, _userCallbacks);
        context.InitialEpoch = firstEpoch;
        context.Step = (long)firstEpoch * context.BatchesPerEpoch;
    }

    public override void OnEpochEnd(TrainingContext context, int epoch, IReadOnlyDictionary<string, double> logs) =>
        _checkpoint.Save(epoch + 1, context.Model, _optimizer, _generators, _history, context, _userCallbacks);
}

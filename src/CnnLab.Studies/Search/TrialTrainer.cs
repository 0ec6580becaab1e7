using System.Text.Json;
using System.Text.Json.Nodes;
using CnnLab.Data;
using CnnLab.Formats;
using CnnLab.Studies.Experiments;
using CnnLab.Training;

namespace CnnLab.Studies.Search;

/// <summary>What one seed of a trial reached at the end of a rung.</summary>
public sealed record TrialScore(double Objective, double Seconds);

/// <summary>Trains one seed of a trial to the end of a rung, continuing from the seed's checkpoint.</summary>
public interface ITrialTrainer
{
    /// <summary>
    /// Trains <paramref name="run"/> with <paramref name="seed"/> from epoch <paramref name="fromEpoch"/> (where its last
    /// rung ended) until <paramref name="epochs"/> epochs are done (its schedule still spans the run's own epochs),
    /// keeping a checkpoint in <paramref name="folder"/> after every epoch, and returns <paramref name="objective"/> at the
    /// last epoch and the seconds of the rung's epochs, those a killed worker finished before it included.
    /// </summary>
    TrialScore Train(RunDefinition run, int seed, int fromEpoch, int epochs, string objective, string folder);

    /// <summary>Why <paramref name="run"/>'s model cannot be built for the data, in one sentence; null when it can.</summary>
    string? Check(RunDefinition run);
}

/// <summary>
/// Trains trials as studies train runs (<see cref="RunRecipe"/>), with one difference: a trial stops at the end of
/// its rung and keeps its checkpoint, so a promotion continues it where it stopped (the learning-rate schedule spans
/// the whole run, so the continued run is the one that would have trained straight through).
/// </summary>
public sealed class TrialTrainer(DataSplits data) : ITrialTrainer
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = false, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <inheritdoc />
    public string? Check(RunDefinition run)
    {
        try
        {
            using var model = RunRecipe.CompiledModel(run, data.InputShape, data.Train.ClassCount, seed: 0);
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }

    /// <inheritdoc />
    public TrialScore Train(RunDefinition run, int seed, int fromEpoch, int epochs, string objective, string folder)
    {
        ArgumentNullException.ThrowIfNull(run);
        Directory.CreateDirectory(folder);
        var checkpoint = Path.Combine(folder, ResultsFolder.Checkpoint);
        var done = EpochCheckpoint.CompletedEpochs(checkpoint) ?? 0;
        using var model = RunRecipe.CompiledModel(run, data.InputShape, data.Train.ClassCount, seed);
        var augmentation = RunRecipe.Augmentation(run);
        using var batchMix = RunRecipe.BatchMix(run);
        var callbacks = RunRecipe.Callbacks(run).Append(new RungStop(epochs, folder)).ToList();
        var options = RunRecipe.FitOptions(run, seed, augmentation, batchMix, callbacks, checkpoint);
        if (done >= epochs)
        {
            // The rung's last epoch was saved but its score never written (the worker died in between): the Fit only
            // restores the checkpoint's history, training nothing, so the score is the one the epoch had.
            options = options with { Epochs = done };
        }
        History history;
        try
        {
            history = model.Fit(data.Train.Images, data.Train.Labels, options);
        }
        finally
        {
            foreach (var disposable in augmentation.Cast<IDisposable>().Concat(callbacks.OfType<IDisposable>()))
            {
                disposable.Dispose();
            }
        }
        // The curve so far, for the report: every epoch's metrics, the restored ones included.
        var curve = new JsonObject(history.Values.Select(v =>
            KeyValuePair.Create(v.Key, (JsonNode?)JsonSerializer.SerializeToNode(v.Value, Json))));
        AtomicFile.WriteText(Path.Combine(folder, ResultsFolder.HistoryJson), curve.ToJsonString(Json));
        var values = history[objective];
        // The checkpoint restores the seconds of the epochs before it: counting from the rung's start, not from the
        // checkpoint, keeps the epochs a killed worker trained in the rung's seconds, so a resumed trial's projected
        // time (max_train_seconds) and the hours budget are not cut by the kill (counted from the checkpoint, a trial
        // killed after 1 of its 2 first epochs measured half its time per epoch).
        return new TrialScore(values.Count > 0 ? values[^1] : double.NaN, history.EpochSeconds.Skip(fromEpoch).Sum());
    }

    /// <summary>Ends a Fit after <c>epochs</c> epochs (the checkpoint written at that epoch's end continues it later), and
    /// logs each epoch as studies do.</summary>
    private sealed class RungStop(int epochs, string folder) : Callback
    {
        public override void OnEpochEnd(TrainingContext context, int epoch, IReadOnlyDictionary<string, double> logs)
        {
            EpochLog.Append(folder, context, epoch, logs);
            if (epoch + 1 >= epochs)
            {
                context.StopTraining = true;
            }
        }
    }
}

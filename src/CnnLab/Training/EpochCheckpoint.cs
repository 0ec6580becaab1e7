using System.Text.Json;
using System.Text.Json.Serialization;
using CnnLab.Saving;
using CnnLab.Models;
using OptimizerHelper = TorchSharp.Modules.OptimizerHelper;
using static TorchSharp.torch;

namespace CnnLab.Training;

/// <summary>
/// Everything a Fit needs to continue after its last completed epoch exactly as if never stopped: the weights
/// (with BatchNormalization's moving statistics), the optimizer's state, the shuffle, dropout and augmentation
/// generators' states, the History so far, the learning rate and the callbacks' states. Written at every epoch end into a folder; the small <c>checkpoint.json</c> is
/// renamed into place last, so a process killed at any moment leaves the previous complete checkpoint.
/// </summary>
internal sealed class EpochCheckpoint
{
    private const string IndexFile = "checkpoint.json";
    private readonly string _folder;

    public EpochCheckpoint(string folder) => _folder = folder;

    /// <summary>
    /// The epoch to continue from, or 0 when there is no checkpoint. Puts back the weights, the optimizer, every
    /// generator (in the order given), the History, the learning rate and the callbacks' states.
    /// </summary>
    public int Restore(Sequential model, optim.Optimizer optimizer, IReadOnlyList<Generator?> generators, History history,
        TrainingContext context, IReadOnlyList<Callback> callbacks)
    {
        var index = Path.Combine(_folder, IndexFile);
        if (!File.Exists(index))
        {
            return 0;
        }
        var state = JsonSerializer.Deserialize<State>(File.ReadAllText(index), Json)
            ?? throw new InvalidDataException($"{index}: empty checkpoint.");
        if (state.Generators.Count != generators.Count || state.Callbacks.Count != callbacks.Count)
        {
            throw new InvalidDataException(
                $"{index}: the checkpoint was written by a Fit with {state.Generators.Count} random generators and {state.Callbacks.Count} callbacks, " +
                $"this one has {generators.Count} and {callbacks.Count}. Resume with the same model, augmentation and callbacks, or delete the folder.");
        }
        model.load(Path.Combine(_folder, state.Weights));
        ((OptimizerHelper)optimizer).load_state_dict(Path.Combine(_folder, state.Optimizer));
        for (var i = 0; i < generators.Count; i++)
        {
            if (generators[i] is { } generator && state.Generators[i] is { } bytes)
            {
                using var saved = tensor(bytes);
                generator.set_state(saved);
            }
        }
        for (var e = 0; e < state.Epoch; e++)
        {
            history.Append(state.History.ToDictionary(kv => kv.Key, kv => kv.Value[e]), state.Seconds[e]);
        }
        context.LearningRate = state.LearningRate;
        for (var i = 0; i < callbacks.Count; i++)
        {
            callbacks[i].SetState(state.Callbacks[i]);
            if (state.CallbackTensors[i] is { } file)
            {
                callbacks[i].SetStateTensors(SafeTensors.Load(Path.Combine(_folder, file)).Tensors);
            }
        }
        return state.Epoch;
    }

    /// <summary>Saves the state after <paramref name="epochsDone"/> epochs.</summary>
    public void Save(int epochsDone, Sequential model, optim.Optimizer optimizer, IReadOnlyList<Generator?> generators, History history,
        TrainingContext context, IReadOnlyList<Callback> callbacks)
    {
        Directory.CreateDirectory(_folder);
        var weights = $"weights-{epochsDone}.dat";
        var optimizerFile = $"optimizer-{epochsDone}.dat";
        var files = new List<string> { weights, optimizerFile };
        model.save(Path.Combine(_folder, weights));
        ((OptimizerHelper)optimizer).save_state_dict(Path.Combine(_folder, optimizerFile));
        var callbackTensors = new List<string?>();
        for (var i = 0; i < callbacks.Count; i++)
        {
            var tensors = callbacks[i].GetStateTensors();
            string? file = null;
            if (tensors.Count > 0)
            {
                file = $"callback-{i}-{epochsDone}.safetensors";
                SafeTensors.Save(Path.Combine(_folder, file), tensors);
                files.Add(file);
            }
            callbackTensors.Add(file);
        }
        var state = new State(epochsDone, weights, optimizerFile, generators.Select(g => g is null ? null : GetState(g)).ToList(),
            history.Values.ToDictionary(kv => kv.Key, kv => kv.Value.ToList()), history.EpochSeconds.ToList(),
            context.LearningRate, callbacks.Select(c => c.GetState().ToDictionary()).ToList(), callbackTensors);
        Reporting.AtomicFile.WriteText(Path.Combine(_folder, IndexFile), JsonSerializer.Serialize(state, Json));
        // Only the files the index names are kept.
        foreach (var old in Directory.GetFiles(_folder).Where(f => Path.GetFileName(f) != IndexFile && !files.Contains(Path.GetFileName(f))))
        {
            File.Delete(old);
        }
    }

    private static byte[] GetState(Generator generator)
    {
        using var state = generator.get_state();
        return state.data<byte>().ToArray();
    }

    // Infinities (a callback's "best" before any epoch) must survive the JSON round trip.
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private sealed record State(int Epoch, string Weights, string Optimizer, List<byte[]?> Generators, Dictionary<string, List<double>> History,
        List<double> Seconds, double LearningRate, List<Dictionary<string, double>> Callbacks, List<string?> CallbackTensors);
}

using System.Text.Json;
using System.Text.Json.Serialization;
using CnnLab.Formats;
using static TorchSharp.torch;
using OptimizerHelper = TorchSharp.Modules.OptimizerHelper;

namespace CnnLab.Training;

/// <summary>
/// Everything a Fit needs to continue after its last completed epoch exactly as if never stopped: the weights
/// (with BatchNormalization's moving statistics), the optimizer's state, the shuffle, dropout and augmentation
/// generators' states, the History so far, the learning rate and the callbacks' states.
/// Written at every epoch end into a folder; the small <c>checkpoint.json</c> is
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
    public int Restore(ITrainableModel model, optim.Optimizer optimizer, IReadOnlyList<Generator?> generators, History history,
        TrainingContext context, IReadOnlyList<Callback> callbacks)
    {
        var index = Path.Combine(_folder, IndexFile);
        if (!File.Exists(index))
        {
            return 0;
        }
        var state = ReadState(index);
        if (state.Generators.Count != generators.Count || state.Callbacks.Count != callbacks.Count)
        {
            throw new InvalidDataException(
                $"{index}: the checkpoint was written by a Fit with {state.Generators.Count} random generators and " +
                $"{state.Callbacks.Count} callbacks, " +
                $"this one has {generators.Count} and {callbacks.Count}. Resume with the same model, augmentation and callbacks, " +
                $"or delete the folder.");
        }
        Read(state.Weights, "the model's weights", file => model.Module.load(file));
        Read(state.Optimizer, "the optimizer's state", file => ((OptimizerHelper)optimizer).load_state_dict(file));
        Read(IndexFile, "the random generators' states", _ =>
        {
            for (var i = 0; i < generators.Count; i++)
            {
                if (generators[i] is { } generator && state.Generators[i] is { } bytes)
                {
                    using var saved = tensor(bytes);
                    generator.set_state(saved);
                }
            }
        });
        for (var e = 0; e < state.Epoch; e++)
        {
            history.Append(state.History.ToDictionary(kv => kv.Key, kv => kv.Value[e]), state.Seconds[e]);
        }
        context.LearningRate = state.LearningRate;
        for (var i = 0; i < callbacks.Count; i++)
        {
            Read(IndexFile, $"callback {i + 1}'s state", _ => callbacks[i].SetState(state.Callbacks[i]));
            if (state.CallbackTensors[i] is { } tensorFile)
            {
                Read(tensorFile, $"callback {i + 1}'s tensors", file => callbacks[i].SetStateTensors(SafeTensors.Load(file).Tensors));
            }
        }
        return state.Epoch;
    }

    /// <summary>Saves the state after <paramref name="epochsDone"/> epochs.</summary>
    public void Save(int epochsDone, ITrainableModel model, optim.Optimizer optimizer, IReadOnlyList<Generator?> generators,
        History history,
        TrainingContext context, IReadOnlyList<Callback> callbacks)
    {
        Directory.CreateDirectory(_folder);
        var weights = $"weights-{epochsDone}.dat";
        var optimizerFile = $"optimizer-{epochsDone}.dat";
        var files = new List<string> { weights, optimizerFile };
        model.Module.save(Path.Combine(_folder, weights));
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
        CnnLab.Formats.AtomicFile.WriteText(Path.Combine(_folder, IndexFile), JsonSerializer.Serialize(state, Json));
        // Only the files the index names are kept.
        foreach (var old in Directory.GetFiles(_folder).Where(f =>
            Path.GetFileName(f) != IndexFile && !files.Contains(Path.GetFileName(f))))
        {
            File.Delete(old);
        }
    }

    /// <summary>
    /// The epochs a checkpoint in <paramref name="folder"/> holds, for a listing: 0 without one, null when its index
    /// cannot be read (restoring it would say why).
    /// </summary>
    public static int? CompletedEpochs(string folder)
    {
        var index = Path.Combine(folder, IndexFile);
        if (!File.Exists(index))
        {
            return 0;
        }
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(index));
            return document.RootElement.TryGetProperty("Epoch", out var epoch) && epoch.TryGetInt32(out var value) && value >= 0 ? value
                : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The index, checked before anything is restored: a truncated or edited checkpoint.json is an error naming it
    /// and the key, not a JsonException or a NullReferenceException several calls later.
    /// </summary>
    private State ReadState(string index)
    {
        State? state;
        try
        {
            state = JsonSerializer.Deserialize<State>(File.ReadAllText(index), Json);
        }
        catch (JsonException e)
        {
            throw Damaged(index, $"it is not valid JSON or not a checkpoint index (at {e.Path ?? "$"}, line {(e.LineNumber ?? 0) + 1})");
        }
        string? problem = state switch
        {
            null => "it holds null",
            { Epoch: < 0 } => $"\"Epoch\" is {state.Epoch}",
            _ when !IsFileName(state.Weights) => "\"Weights\" is not a file name in the folder",
            _ when !IsFileName(state.Optimizer) => "\"Optimizer\" is not a file name in the folder",
            { Generators: null } => "\"Generators\" is missing",
            { History: null } or { Seconds: null } => "\"History\" or \"Seconds\" is missing",
            _ when state.Seconds.Count < state.Epoch || state.History.Values.Any(v => v is null || v.Count < state.Epoch) =>
                $"the History holds fewer than the {state.Epoch} epochs it claims",
            { Callbacks: null } or { CallbackTensors: null } => "\"Callbacks\" or \"CallbackTensors\" is missing",
            _ when state.Callbacks.Any(c => c is null) || state.CallbackTensors.Count != state.Callbacks.Count
                || state.CallbackTensors.Any(f => f is not null && !IsFileName(f)) => "the callbacks' states do not match their files",
            _ => null,
        };
        return problem is null ? state! : throw Damaged(index, problem);
    }

    // A name inside the checkpoint folder: an edited index must not make Restore read ../../somewhere.
    private static bool IsFileName(string? name) => !string.IsNullOrEmpty(name) && Path.GetFileName(name) == name
        && name is not ("." or "..");

    /// <summary>Runs one restoring step on a file of the checkpoint; whatever the file's damage, the error names it.</summary>
    private void Read(string name, string what, Action<string> restore)
    {
        var file = Path.Combine(_folder, name);
        try
        {
            restore(file);
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException or KeyNotFoundException
                                      or System.Runtime.InteropServices.ExternalException or FormatException or IndexOutOfRangeException)
        {
            throw Damaged(file, $"{what} could not be read ({e.Message.Split('\n')[0].TrimEnd()})");
        }
    }

    private InvalidDataException Damaged(string file, string problem) =>
        new($"{file}: the epoch checkpoint is damaged: {problem}. Delete the folder {_folder} to train the run again from its " +
            $"first epoch.");

    private static byte[] GetState(Generator generator)
    {
        using var state = generator.get_state();
        return state.data<byte>().ToArray();
    }

    // Infinities (a callback's "best" before any epoch) must survive the JSON round trip.
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private sealed record State(int Epoch, string Weights, string Optimizer, List<byte[]?> Generators,
        Dictionary<string, List<double>> History,
        List<double> Seconds, double LearningRate, List<Dictionary<string, double>> Callbacks, List<string?> CallbackTensors);
}

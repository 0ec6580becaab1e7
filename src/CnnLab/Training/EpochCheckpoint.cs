using System.Text.Json;
using CnnLab.Models;
using OptimizerHelper = TorchSharp.Modules.OptimizerHelper;
using static TorchSharp.torch;

namespace CnnLab.Training;

/// <summary>
/// Everything a Fit needs to continue after its last completed epoch exactly as if never stopped: the weights
/// (with BatchNormalization's moving statistics), the optimizer's state, the shuffle and dropout generators'
/// states and the History so far. Written at every epoch end into a folder; the small <c>checkpoint.json</c> is
/// renamed into place last, so a process killed at any moment leaves the previous complete checkpoint.
/// </summary>
internal sealed class EpochCheckpoint
{
    private const string IndexFile = "checkpoint.json";
    private readonly string _folder;

    public EpochCheckpoint(string folder) => _folder = folder;

    /// <summary>The epoch to continue from, or 0 when there is no checkpoint.</summary>
    public int Restore(Sequential model, optim.Optimizer optimizer, Generator shuffle, History history)
    {
        var index = Path.Combine(_folder, IndexFile);
        if (!File.Exists(index))
        {
            return 0;
        }
        var state = JsonSerializer.Deserialize<State>(File.ReadAllText(index))
            ?? throw new InvalidDataException($"{index}: empty checkpoint.");
        model.load(Path.Combine(_folder, state.Weights));
        ((OptimizerHelper)optimizer).load_state_dict(Path.Combine(_folder, state.Optimizer));
        SetState(shuffle, state.Generators[0]);
        var random = model.Layers.Select(l => l.RandomGenerator).ToList();
        for (var i = 0; i < random.Count; i++)
        {
            if (random[i] is { } generator)
            {
                SetState(generator, state.Generators[i + 1]);
            }
        }
        for (var e = 0; e < state.Epoch; e++)
        {
            history.Append(state.History.ToDictionary(kv => kv.Key, kv => kv.Value[e]), state.Seconds[e]);
        }
        return state.Epoch;
    }

    /// <summary>Saves the state after <paramref name="epochsDone"/> epochs.</summary>
    public void Save(int epochsDone, Sequential model, optim.Optimizer optimizer, Generator shuffle, History history)
    {
        Directory.CreateDirectory(_folder);
        var weights = $"weights-{epochsDone}.dat";
        var optimizerFile = $"optimizer-{epochsDone}.dat";
        model.save(Path.Combine(_folder, weights));
        ((OptimizerHelper)optimizer).save_state_dict(Path.Combine(_folder, optimizerFile));
        var generators = new List<byte[]?> { GetState(shuffle) };
        generators.AddRange(model.Layers.Select(l => l.RandomGenerator is { } g ? GetState(g) : null));
        var state = new State(epochsDone, weights, optimizerFile, generators,
            history.Values.ToDictionary(kv => kv.Key, kv => kv.Value.ToList()), history.EpochSeconds.ToList());
        Reporting.AtomicFile.WriteText(Path.Combine(_folder, IndexFile), JsonSerializer.Serialize(state));
        // Only the checkpoint the index names is kept.
        foreach (var old in Directory.GetFiles(_folder, "*.dat").Where(f => Path.GetFileName(f) != weights && Path.GetFileName(f) != optimizerFile))
        {
            File.Delete(old);
        }
    }

    private static byte[] GetState(Generator generator)
    {
        using var state = generator.get_state();
        return state.data<byte>().ToArray();
    }

    private static void SetState(Generator generator, byte[]? bytes)
    {
        if (bytes is null)
        {
            return;
        }
        using var state = tensor(bytes);
        generator.set_state(state);
    }

    private sealed record State(int Epoch, string Weights, string Optimizer, List<byte[]?> Generators, Dictionary<string, List<double>> History, List<double> Seconds);
}

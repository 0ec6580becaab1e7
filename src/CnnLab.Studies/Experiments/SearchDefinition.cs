using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace CnnLab.Studies.Experiments;

/// <summary>
/// A study file's <c>search</c> section, resolved: the space as written, the base run every trial starts from, how
/// trials are chosen, scored and stopped, the budget and the verdict. Recorded in study.json, so a resumed search
/// with a changed section is refused naming the difference.
/// </summary>
public sealed record SearchDefinition(
    JsonObject Space,
    JsonObject BaseRun,
    string Objective,
    string Sampler,
    int Seeds,
    double Alpha,
    int Seed,
    string Scheduler,
    int MinEpochs,
    int ReductionFactor,
    int Trials,
    int? EpochBudget,
    double? HourBudget,
    int VerdictTop,
    int VerdictSeeds)
{
    /// <summary>
    /// Training time as a constraint: the most seconds a configuration's full training may take, projected from its
    /// measured seconds per epoch (mean over its seeds); slower trials are stopped and kept out of the verdict. Null for
    /// none. Measured time depends on the machine and its load, so decisions made with it are too (the journal records
    /// each projection, so a replay agrees).
    /// </summary>
    public double? MaxTrainSeconds { get; init; }

    /// <summary>The parsed space.</summary>
    [JsonIgnore]
    public SearchSpace ParsedSpace { get; init; } = null!;

    /// <summary>Builds the run of a configuration (checked when the study was read, so it parses).</summary>
    [JsonIgnore]
    public Func<IReadOnlyDictionary<string, double>, string, RunDefinition> TrialRun { get; init; } = null!;

    /// <summary>The seeds trials train with: 1 to <see cref="Seeds"/>.</summary>
    [JsonIgnore]
    public IReadOnlyList<int> TrialSeeds => Enumerable.Range(1, Seeds).ToList();

    /// <summary>The verdict's fresh seeds: never one a trial trained with (1001, 1002, ...).</summary>
    [JsonIgnore]
    public IReadOnlyList<int> VerdictSeedList => Enumerable.Range(1001, VerdictSeeds).ToList();

    /// <summary>Whether a lower objective is better (val_loss).</summary>
    [JsonIgnore]
    public bool Minimize => Objective == "val_loss";

    /// <summary>
    /// Sets <paramref name="value"/> at the run key <paramref name="path"/> of a run's mapping: objects entered or created,
    /// a list's entry replaced, or appended at the list's end. Null when it worked, else why not.
    /// </summary>
    public static string? Set(JsonObject run, string path, JsonNode? value)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(path);
        var parts = path.Split('.');
        JsonNode current = run;
        for (var i = 0; i < parts.Length; i++)
        {
            var last = i == parts.Length - 1;
            var where = string.Join('.', parts.Take(i));
            switch (current)
            {
                case JsonObject map when !int.TryParse(parts[i], out _):
                    if (last)
                    {
                        map[parts[i]] = value?.DeepClone();
                        return null;
                    }
                    if (map[parts[i]] is not { } next)
                    {
                        map[parts[i]] = next = int.TryParse(parts[i + 1], out _) ? new JsonArray() : new JsonObject();
                    }
                    current = next;
                    break;
                case JsonArray list when int.TryParse(parts[i], out var index):
                    if (index > list.Count)
                    {
                        return $"`{where}` has {list.Count} entries in `base`, so `{path}` would leave a gap; " +
                            $"set `{where}.{list.Count}` first";
                    }
                    if (last)
                    {
                        if (index == list.Count)
                        {
                            list.Add(value?.DeepClone());
                        }
                        else
                        {
                            list[index] = value?.DeepClone();
                        }
                        return null;
                    }
                    if (index == list.Count)
                    {
                        list.Add(int.TryParse(parts[i + 1], out _) ? new JsonArray() : new JsonObject());
                    }
                    current = list[index] ?? throw new InvalidOperationException("unreachable: entries are set above");
                    break;
                default:
                    var kind = current is JsonArray ? "a list (give an index)" : current is JsonObject ? "a mapping (give a key)"
                        : $"{current.ToJsonString()} in `base`";
                    return $"`{path}` goes into `{where}`, which is {kind}" +
                        (where == "model" ? "; to search a model's parts, write `base`'s model as a template or a list of layers" : "");
            }
        }
        return null;
    }
}

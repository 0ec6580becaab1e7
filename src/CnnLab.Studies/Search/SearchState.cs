using System.Globalization;
using System.Text.Json.Nodes;

namespace CnnLab.Studies.Search;

/// <summary>One configuration tried: its number, what it drew, and its scores by rung and seed.</summary>
public sealed class Trial(int number, IReadOnlyDictionary<string, double> drawn)
{
    /// <summary>The trial's number, from 0 in the order trials were sampled.</summary>
    public int Number { get; } = number;

    /// <summary>The drawn value of each parameter that applies (a choice's index, or the number).</summary>
    public IReadOnlyDictionary<string, double> Drawn { get; } = drawn;

    /// <summary>Scores by rung, then by seed.</summary>
    public SortedDictionary<int, SortedDictionary<int, double>> Scores { get; } = new();

    /// <summary>The highest rung the trial was promoted to (0 when it was never promoted).</summary>
    public int Rung { get; set; }

    /// <summary>The rung at which the paired rule stopped it, or null.</summary>
    public int? StoppedAt { get; set; }

    /// <summary>
    /// Why it was stopped, when not by the paired test (it diverged, or its full training would take longer than
    /// max_train_seconds): it cannot win. Null otherwise.
    /// </summary>
    public string? StopReason { get; set; }

    /// <summary>Seconds of training by seed, summed over the seed's results, and the epochs the seed has reached.</summary>
    public SortedDictionary<int, (double Seconds, int Epochs)> Training { get; } = new();

    /// <summary>
    /// The seconds a full training of <paramref name="epochs"/> epochs would take: the mean over its seeds of the seconds
    /// per epoch measured so far, times <paramref name="epochs"/>; null before any result.
    /// </summary>
    public double? ProjectedSeconds(int epochs) => Training.Count == 0 || Training.Values.Any(t => t.Epochs == 0)
        ? null
        : Training.Values.Average(t => t.Seconds / t.Epochs) * epochs;

    /// <summary>Whether every one of <paramref name="seeds"/> has a score at <paramref name="rung"/>.</summary>
    public bool Complete(int rung, IReadOnlyList<int> seeds) => Scores.TryGetValue(rung, out var s) && seeds.All(s.ContainsKey);

    /// <summary>
    /// The deepest rung every one of <paramref name="seeds"/> finished, or -1 when none (a trial's rungs train to more
    /// epochs one after another, so it is also the one with the most epochs).
    /// </summary>
    public int LastCompleteRung(IReadOnlyList<int> seeds) => Scores.Keys.Where(r => Complete(r, seeds)).DefaultIfEmpty(-1).Max();

    /// <summary>The mean score at <paramref name="rung"/> over <paramref name="seeds"/> (all must be there).</summary>
    public double Mean(int rung, IReadOnlyList<int> seeds) => seeds.Average(seed => Scores[rung][seed]);
}

/// <summary>
/// What a journal says has happened: the trials, their scores, promotions and stops, replayed record by record. The
/// same records give the same state, which is how a restarted worker, a second worker and a report agree.
/// </summary>
public sealed class SearchState
{
    private readonly List<Trial> _trials = new();

    /// <summary>The trials in order of their numbers.</summary>
    public IReadOnlyList<Trial> Trials => _trials;

    /// <summary>The records replayed.</summary>
    public int Records { get; private set; }

    /// <summary>Replays <paramref name="records"/>; a record that contradicts the ones before it is an error naming it.</summary>
    public static SearchState Replay(IEnumerable<JsonObject> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var state = new SearchState();
        foreach (var record in records)
        {
            state.Apply(record);
        }
        return state;
    }

    /// <summary>Applies one record.</summary>
    public void Apply(JsonObject record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Records++;
        var type = Text(record, "type");
        switch (type)
        {
            case "search" or "claim":
                break;
            case "trial":
                var number = Integer(record, "trial");
                if (number != _trials.Count)
                {
                    throw Bad($"trial {number} follows trial {_trials.Count - 1}; trials are numbered in order");
                }
                var drawn = record["drawn"] as JsonObject ?? throw Bad("a trial record needs `drawn`, a mapping of numbers");
                _trials.Add(new Trial(number, drawn.ToDictionary(p => p.Key, p => Number(p.Value, $"drawn.{p.Key}"))));
                break;
            case "result":
                var trial = TrialOf(record);
                var rung = Integer(record, "rung");
                var seed = Integer(record, "seed");
                if (!trial.Scores.TryGetValue(rung, out var scores))
                {
                    trial.Scores[rung] = scores = new SortedDictionary<int, double>();
                }
                scores[seed] = Number(record["score"], "score");
                // Seconds and epochs came with results from the start; a record without them only lacks a time.
                if (record["seconds"] is { } seconds && record["epochs"] is { } epochs)
                {
                    var (sum, reached) = trial.Training.GetValueOrDefault(seed);
                    trial.Training[seed] = (sum + Number(seconds, "seconds"), Math.Max(reached, Integer(record, "epochs")));
                }
                break;
            case "promote":
                var promoted = TrialOf(record);
                promoted.Rung = Math.Max(promoted.Rung, Integer(record, "rung"));
                break;
            case "stop":
                var stopped = TrialOf(record);
                stopped.StoppedAt = Integer(record, "rung");
                stopped.StopReason = record["reason"] is JsonValue r && r.TryGetValue<string>(out var why) ? why : null;
                break;
            default:
                throw Bad($"unknown record type `{type}`");
        }
    }

    private Trial TrialOf(JsonObject record)
    {
        var number = Integer(record, "trial");
        return number >= 0 && number < _trials.Count ? _trials[number] : throw Bad($"trial {number} was never sampled");
    }

    private SearchJournalException Bad(string message) =>
        new(string.Create(CultureInfo.InvariantCulture, $"journal record {Records}: {message}."));

    private string Text(JsonObject record, string key) =>
        record[key] is JsonValue v && v.TryGetValue<string>(out var text) ? text : throw Bad($"`{key}` must be text");

    private int Integer(JsonObject record, string key) =>
        AsNumber(record[key]) is { } value && value == Math.Floor(value) && value is >= 0 and <= int.MaxValue
            ? (int)value
            : throw Bad($"`{key}` must be a whole number from 0");

    private double Number(JsonNode? node, string key) =>
        AsNumber(node) is { } value && double.IsFinite(value) ? value : throw Bad($"`{key}` must be a number");

    // Records built in memory hold ints and doubles, records read back hold JSON text: both read through their JSON form.
    private static double? AsNumber(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.Number
        && double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? number
            : null;
}

using System.Text.Json.Nodes;
using CnnLab.Studies.Experiments;

namespace CnnLab.Studies.Search;

/// <summary>A trial's next stretch of training: to <see cref="Epochs"/> (the end of <see cref="Rung"/>), on every seed.</summary>
public sealed record SearchWork(int Trial, int Rung, int Epochs);

/// <summary>What a worker is told: records to append (decisions), and work, or that the search is over or must wait.</summary>
public sealed record SearchPlan(IReadOnlyList<JsonObject> Records, SearchWork? Work, bool Finished);

/// <summary>
/// Decides, from a journal's records alone, what a free worker does next: continue a trial nobody holds (a worker
/// died or was preempted), promote a trial (ASHA), sample a new trial within the budget, or wait / finish. The same
/// records give the same plan, so a search replays: each decision in a journal is what the planner says for the
/// records before it. Every choice is written with its inputs (the rung and count of observations a sampler used, the
/// seed of its draw; the leaders and p-value of a promotion or stop).
/// </summary>
public sealed class SearchPlanner
{
    private readonly SearchDefinition _search;
    private readonly ISampler _sampler;

    /// <summary>Creates the planner; the last rung trains to <paramref name="maxEpochs"/> (the base run's epochs).</summary>
    public SearchPlanner(SearchDefinition search, int maxEpochs)
    {
        ArgumentNullException.ThrowIfNull(search);
        _search = search;
        _sampler = search.Sampler == "random" ? new RandomSampler() : new TpeSampler();
        // With `scheduler: none` one rung: every trial trains to the end.
        Scheduler = new AshaScheduler(search.Scheduler == "none" ? maxEpochs : Math.Min(search.MinEpochs, maxEpochs), maxEpochs,
            search.ReductionFactor, search.TrialSeeds, search.Alpha);
    }

    /// <summary>The scheduler of the search's rungs.</summary>
    public AshaScheduler Scheduler { get; }

    /// <summary>
    /// The plan for a free worker after <paramref name="records"/>; <paramref name="held"/> says whether a live worker is
    /// training a trial now (its run lock), so a trial is never trained twice at once. <paramref name="check"/>, where
    /// given, says why a configuration's run cannot be built for the data (null when it can): such a draw is drawn again.
    /// </summary>
    public SearchPlan Next(IReadOnlyList<JsonObject> records, Func<int, bool> held, Func<RunDefinition, string?>? check = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(held);
        var state = SearchState.Replay(records);
        var seeds = Scheduler.Seeds;
        var unfinished = state.Trials.Where(t => t.StoppedAt is null && !t.Complete(t.Rung, seeds)).ToList();
        if (unfinished.FirstOrDefault(t => !held(t.Number)) is { } orphan)
        {
            return new SearchPlan(Array.Empty<JsonObject>(), Work(orphan.Number, orphan.Rung), false);
        }
        var promotion = Scheduler.NextPromotion(state, out var stops);
        var appended = stops.ToList();
        if (promotion is not null)
        {
            appended.Add(promotion);
            return new SearchPlan(appended, Work(promotion["trial"]!.GetValue<int>(), promotion["rung"]!.GetValue<int>()), false);
        }
        if (BudgetLeft(state, records) is null)
        {
            var (trial, _) = Sample(state, check);
            appended.Add(trial);
            return new SearchPlan(appended, Work(state.Trials.Count, 0), false);
        }
        return new SearchPlan(appended, null, unfinished.Count == 0);
    }

    /// <summary>Null while the budget allows another trial; else what is spent ("20 trials", "600 epochs", "2 hours").</summary>
    public string? BudgetLeft(SearchState state, IReadOnlyList<JsonObject> records)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(records);
        if (state.Trials.Count >= _search.Trials)
        {
            return $"{_search.Trials} trials";
        }
        var epochs = state.Trials.Sum(t => (long)Scheduler.RungEpochs[t.Rung] * Scheduler.Seeds.Count);
        if (_search.EpochBudget is { } epochBudget && epochs + (long)Scheduler.RungEpochs[0] * Scheduler.Seeds.Count > epochBudget)
        {
            return $"{epochBudget} epochs";
        }
        var seconds = records.Where(r => r["type"]?.GetValue<string>() == "result").Sum(r => r["seconds"]?.GetValue<double>() ?? 0);
        if (_search.HourBudget is { } hours && seconds >= hours * 3600)
        {
            return $"{hours} hours";
        }
        return null;
    }

    /// <summary>The record of trial <c>state.Trials.Count</c>: drawn by the sampler from the observations of the highest
    /// rung that at least <see cref="TpeSampler.StartupTrials"/> trials finished (else rung 0).</summary>
    private (JsonObject Record, IReadOnlyDictionary<string, double> Drawn) Sample(SearchState state, Func<RunDefinition, string?>? check)
    {
        var seeds = Scheduler.Seeds;
        var number = state.Trials.Count;
        var rung = Enumerable.Range(0, Scheduler.RungEpochs.Count).Reverse()
            .FirstOrDefault(r => state.Trials.Count(t => t.Complete(r, seeds)) >= new TpeSampler().StartupTrials);
        var observations = state.Trials.Where(t => t.Complete(rung, seeds))
            .Select(t => new Observation(t.Drawn, t.Mean(rung, seeds))).ToList();
        var seed = unchecked(_search.Seed * 1_000_003 + number) & int.MaxValue;
        var random = new Random(seed);
        // Values that are valid one by one can clash together (a kernel size per block for a depth with fewer blocks):
        // such a configuration is drawn again, and the count is recorded.
        var rejected = 0;
        IReadOnlyDictionary<string, double> drawn;
        while (Invalid(drawn = _sampler.Sample(_search.ParsedSpace, observations, random), check) is { } reason)
        {
            if (++rejected == MaxRejected)
            {
                throw new StudyFileException($"{MaxRejected} configurations drawn in a row make no valid run from `base`; the last, " +
                    $"{_search.ParsedSpace.Describe(drawn)}: {reason} Narrow the space so its values fit together.");
            }
        }
        var record = new JsonObject
        {
            ["type"] = "trial",
            ["trial"] = number,
            ["drawn"] = new JsonObject(drawn.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)JsonValue.Create(d.Value)))),
            ["sampler"] = _sampler.Name,
            ["observed_rung"] = rung,
            ["observed"] = observations.Count,
            ["draw_seed"] = seed,
            ["rejected"] = rejected,
        };
        return (record, drawn);
    }

    /// <summary>Draws in a row that may make invalid runs before the space is called unusable.</summary>
    public const int MaxRejected = 1000;

    private string? Invalid(IReadOnlyDictionary<string, double> drawn, Func<RunDefinition, string?>? check)
    {
        try
        {
            return check?.Invoke(_search.TrialRun(drawn, "check"));
        }
        catch (StudyFileException e)
        {
            return e.Message[(e.Message.IndexOf(": ", StringComparison.Ordinal) + 2)..];
        }
    }

    private SearchWork Work(int trial, int rung) => new(trial, rung, Scheduler.RungEpochs[rung]);
}

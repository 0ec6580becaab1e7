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
        var first = search.Scheduler == "none" ? maxEpochs : Math.Min(search.MinEpochs, maxEpochs);
        // Hyperband (Li et al., JMLR 2018) as asynchronous brackets: ASHA in each, from min_epochs x eta^s for s = 0, 1, ...
        // and a last bracket that trains every trial to the end; trial n goes to bracket n mod the count, so the most
        // aggressive early stopping is hedged by brackets that wait longer before judging.
        var starts = new List<int> { first };
        while (search.Scheduler == "hyperband" && starts[^1] < maxEpochs)
        {
            starts.Add((int)Math.Min((long)starts[^1] * search.ReductionFactor, maxEpochs));
        }
        Brackets = starts.Select(start => new AshaScheduler(start, maxEpochs, search.ReductionFactor, search.TrialSeeds, search.Alpha,
                search.MaxTrainSeconds))
            .ToList();
    }

    /// <summary>The schedulers: one for ASHA (or none), one per bracket for Hyperband.</summary>
    public IReadOnlyList<AshaScheduler> Brackets { get; }

    /// <summary>The first bracket: ASHA's only one, Hyperband's most aggressive.</summary>
    public AshaScheduler Scheduler => Brackets[0];

    /// <summary>The seeds every trial trains with.</summary>
    public IReadOnlyList<int> Seeds => Brackets[0].Seeds;

    /// <summary>The bracket of trial <paramref name="trial"/>.</summary>
    public AshaScheduler BracketOf(int trial) => Brackets[trial % Brackets.Count];

    /// <summary>The epochs trial <paramref name="trial"/> has trained at the end of <paramref name="rung"/>.</summary>
    public int EpochsAt(int trial, int rung) => BracketOf(trial).RungEpochs[rung];

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
        var seeds = Seeds;
        var unfinished = state.Trials.Where(t => t.StoppedAt is null && !t.Complete(t.Rung, seeds)).ToList();
        if (unfinished.FirstOrDefault(t => !held(t.Number)) is { } orphan)
        {
            return new SearchPlan(Array.Empty<JsonObject>(), Work(orphan.Number, orphan.Rung), false);
        }
        var appended = new List<JsonObject>();
        JsonObject? promotion = null;
        for (var b = 0; b < Brackets.Count && promotion is null; b++)
        {
            var bracket = b;
            promotion = Brackets[b].NextPromotion(state, out var stops, t => t.Number % Brackets.Count == bracket);
            appended.AddRange(stops);
        }
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
        var epochs = state.Trials.Sum(t => (long)EpochsAt(t.Number, t.Rung) * Seeds.Count);
        if (_search.EpochBudget is { } epochBudget && epochs + (long)EpochsAt(state.Trials.Count, 0) * Seeds.Count > epochBudget)
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

    /// <summary>The record of trial <c>state.Trials.Count</c>: drawn by the sampler from <see cref="Observations"/>.</summary>
    private (JsonObject Record, IReadOnlyDictionary<string, double> Drawn) Sample(SearchState state, Func<RunDefinition, string?>? check)
    {
        var number = state.Trials.Count;
        var observations = Observations(state, out var deepest);
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
            ["observed_epochs"] = deepest,
            ["observed"] = observations.Count,
            ["draw_seed"] = seed,
            ["rejected"] = rejected,
        };
        return (record, drawn);
    }

    /// <summary>
    /// What the sampler learns from: every trial with a finished rung or a stop, ranked as multi-fidelity TPE ranks
    /// pruned trials (Optuna's TPE does the same): a trial that went to more epochs above one stopped sooner, then by
    /// its mean score at its deepest finished rung; a trial that cannot win (over max_train_seconds, or diverged) last.
    /// The observation's score is its rank (higher is better); only the order matters to TPE. Modelling only the
    /// trials at one rung would drop those stopped before it, so TPE would keep drawing the values that got them
    /// stopped: search-fast's first search drew batch 256 for 18 of its last 30 trials, every one stopped at 1 epoch.
    /// <paramref name="deepest"/> is the most epochs any observation reached (recorded with the draw).
    /// </summary>
    public IReadOnlyList<Observation> Observations(SearchState state, out int deepest)
    {
        ArgumentNullException.ThrowIfNull(state);
        var seeds = Seeds;
        var ranked = state.Trials
            .Select(t => (Trial: t, Rung: t.LastCompleteRung(seeds)))
            .Where(x => x.Rung >= 0 || x.Trial.StopReason is not null)
            .Select(x => x.Rung < 0 ? (x.Trial, Epochs: 0, Mean: double.NegativeInfinity)
                : (x.Trial, Epochs: EpochsAt(x.Trial.Number, x.Rung), Mean: x.Trial.Mean(x.Rung, seeds)))
            .OrderBy(x => x.Trial.StopReason is not null).ThenByDescending(x => x.Epochs).ThenByDescending(x => x.Mean)
            .ThenBy(x => x.Trial.Number).ToList();
        deepest = ranked.Count == 0 ? 0 : ranked.Max(x => x.Epochs);
        return ranked.Select((x, i) => new Observation(x.Trial.Drawn, ranked.Count - i)).ToList();
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

    private SearchWork Work(int trial, int rung) => new(trial, rung, EpochsAt(trial, rung));
}

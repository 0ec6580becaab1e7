using System.Globalization;
using System.Text.Json.Nodes;
using CnnLab.Studies.Experiments;

namespace CnnLab.Studies.Search;

/// <summary>
/// One search worker: asks the journal what to do, trains it, writes the scores, until the planner says the search
/// is over. Any number of workers (processes, Slurm array elements, pods) may share the folder: each trial is trained
/// under its folder's lock, taken while the journal's lock is held, so no trial trains twice at once, and a killed
/// worker's trial is handed out again from its checkpoint (at most the epoch in progress is lost).
/// <code>
/// DIR/study.json                       the resolved search (a changed section is refused; a grown budget is taken)
/// DIR/search-journal.jsonl             every trial, score and decision
/// DIR/search-clock.jsonl               when each worker started and last finished a rung (the search's wall time)
/// DIR/trials/trial-0007/seed-1/        checkpoint/ and history.json of one seed of one trial
/// DIR/verdict/                         the best configurations and the baseline on fresh seeds (a study folder)
/// </code>
/// </summary>
public sealed class SearchRunner
{
    private readonly StudyDefinition _study;
    private readonly SearchDefinition _search;
    private readonly string _folder;
    private readonly TextWriter _log;

    /// <summary>Creates a worker of <paramref name="study"/>'s search in <paramref name="folder"/>.</summary>
    public SearchRunner(StudyDefinition study, string folder, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(study);
        _study = study;
        _search = study.Search ?? throw new ArgumentException($"Study \"{study.Name}\" has no `search` section.", nameof(study));
        _folder = folder;
        _log = log ?? Console.Out;
        Planner = new SearchPlanner(_search, Baseline.Training.Epochs);
        Journal = new SearchJournal(folder);
    }

    /// <summary>The search section.</summary>
    public SearchDefinition Definition => _search;

    /// <summary>The planner (its rungs and seeds).</summary>
    public SearchPlanner Planner { get; }

    /// <summary>The journal in the folder.</summary>
    public SearchJournal Journal { get; }

    /// <summary>The baseline run (the file's `base`).</summary>
    public RunDefinition Baseline => _study.Runs[0];

    /// <summary>How long a worker waits between looks at the journal while other workers hold every open trial.</summary>
    public static TimeSpan WaitInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The folder of one seed of one trial.</summary>
    public string TrialFolder(int trial, int? seed = null)
    {
        var folder = Path.Combine(_folder, "trials", string.Create(CultureInfo.InvariantCulture, $"trial-{trial:0000}"));
        return seed is { } s ? Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"seed-{s}")) : folder;
    }

    /// <summary>
    /// Records the resolved search in the folder, or checks it is the one recorded: a different study or search
    /// section is refused naming the first difference, except a larger budget, which is taken (an extended search).
    /// </summary>
    public void ClaimFolder()
    {
        var recordPath = Path.Combine(_folder, ResultsFolder.StudyRecord);
        if (File.Exists(recordPath) && JsonNode.Parse(File.ReadAllText(recordPath))?["Search"] is JsonObject recorded)
        {
            var budget = (Trials: recorded["Trials"]?.GetValue<int>() ?? 0, Epochs: recorded["EpochBudget"]?.GetValue<int?>(),
                Hours: recorded["HourBudget"]?.GetValue<double?>());
            var asRecorded = _study with
            {
                Search = _search with { Trials = budget.Trials, EpochBudget = budget.Epochs, HourBudget = budget.Hours },
            };
            new StudyRunner(asRecorded, _folder).CheckFolder();
            var shrunk = _search.Trials < budget.Trials || _search.EpochBudget < budget.Epochs || _search.HourBudget < budget.Hours;
            if (shrunk)
            {
                throw new StudyFileException($"The search in {_folder} has a budget of {budget.Trials} trials" +
                    (budget.Epochs is { } e ? $", {e} epochs" : "") + (budget.Hours is { } h ? $", {h} hours" : "") +
                    "; a resumed search may keep or grow its budget, not shrink it. Give at least that, or use a new `outputFolder`.");
            }
            if ((_search.Trials, _search.EpochBudget, _search.HourBudget) != budget)
            {
                // Only the budget grew: the record is replaced (every worker of one command gives the same, so none races it).
                File.Delete(recordPath);
            }
        }
        new StudyRunner(_study, _folder).ClaimFolder();
    }

    /// <summary>Works until the search is over; returns the number of rungs this worker trained.</summary>
    public int Work(ITrialTrainer trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        var trained = 0;
        // Started only once there is work: a process that finds the search over (one that concludes it) ran no part of it.
        var clock = new SearchClock(_folder);
        while (true)
        {
            RunLock? held = null;
            SearchPlan? plan = null;
            Journal.Transact(records =>
            {
                plan = Planner.Next(records, trial => RunLock.IsHeld(TrialFolder(trial)), trainer.Check);
                if (plan.Work is { } work)
                {
                    // Taken under the journal's lock: no other worker can see the trial unheld between the plan and this.
                    held = RunLock.TryAcquire(TrialFolder(work.Trial));
                }
                return held is null && plan.Work is not null ? Array.Empty<JsonObject>() : plan.Records;
            });
            if (plan!.Work is not { } next)
            {
                if (plan.Finished)
                {
                    return trained;
                }
                Thread.Sleep(WaitInterval);
                continue;
            }
            if (held is null)
            {
                continue;
            }
            using (held)
            {
                if (trained == 0)
                {
                    clock.Started();
                }
                Train(trainer, next);
            }
            clock.Running();
            trained++;
        }
    }

    private void Train(ITrialTrainer trainer, SearchWork work)
    {
        var state = SearchState.Replay(Journal.Read());
        var trial = state.Trials[work.Trial];
        var run = TrialRun(trial.Drawn, $"trial {work.Trial}");
        _log.WriteLine($"[trial {work.Trial}, rung {work.Rung}: {work.Epochs} epoch(s)] {_search.ParsedSpace.Describe(trial.Drawn)}");
        var scored = trial.Scores.TryGetValue(work.Rung, out var done) ? done.Keys.ToHashSet() : new HashSet<int>();
        var fromEpoch = work.Rung == 0 ? 0 : Planner.EpochsAt(work.Trial, work.Rung - 1);
        foreach (var seed in Planner.Seeds.Where(s => !scored.Contains(s)))
        {
            var score = trainer.Train(run, seed, fromEpoch, work.Epochs, _search.Objective, TrialFolder(work.Trial, seed));
            if (!double.IsFinite(score.Objective))
            {
                // A diverged configuration (a learning rate too high) is a result of the search, not a reason to stop it.
                var reason = string.Create(CultureInfo.InvariantCulture,
                    $"{_search.Objective} was {score.Objective} after {work.Epochs} epoch(s) with seed {seed}");
                Journal.Append(new JsonObject { ["type"] = "stop", ["trial"] = work.Trial, ["rung"] = work.Rung, ["reason"] = reason });
                _log.WriteLine($"[trial {work.Trial}, rung {work.Rung}] stopped: {reason}");
                return;
            }
            Journal.Append(new JsonObject
            {
                ["type"] = "result", ["trial"] = work.Trial, ["rung"] = work.Rung, ["epochs"] = work.Epochs, ["seed"] = seed,
                ["objective"] = score.Objective, ["score"] = _search.Minimize ? -score.Objective : score.Objective,
                ["seconds"] = score.Seconds,
            });
            _log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[trial {work.Trial}, rung {work.Rung}, seed {seed}] {_search.Objective} {score.Objective:F4} ({score.Seconds:F1} s)"));
        }
    }

    /// <summary>A configuration's run, trained for the baseline's epochs (those a command line's --epochs set).</summary>
    public RunDefinition TrialRun(IReadOnlyDictionary<string, double> drawn, string name)
    {
        var run = _search.TrialRun(drawn, name);
        return run with { Training = run.Training with { Epochs = Baseline.Training.Epochs } };
    }

    /// <summary>
    /// The configurations ranked as the report and the verdict take them: the most epochs reached first, then the mean
    /// score there.
    /// </summary>
    public IReadOnlyList<(Trial Trial, int Rung, int Epochs, double Score)> Leaderboard()
    {
        var state = SearchState.Replay(Journal.Read());
        var seeds = Planner.Seeds;
        return state.Trials
            .Select(t => (Trial: t, Rung: t.LastCompleteRung(seeds)))
            .Where(x => x.Rung >= 0)
            .Select(x => (x.Trial, x.Rung, Epochs: Planner.EpochsAt(x.Trial.Number, x.Rung), Score: x.Trial.Mean(x.Rung, seeds)))
            .OrderByDescending(x => x.Epochs).ThenByDescending(x => x.Score).ThenBy(x => x.Trial.Number).ToList();
    }

    /// <summary>
    /// The verdict as a study: the baseline and the top configurations, each trained from scratch to the end on fresh
    /// seeds and tested, each configuration compared with the baseline over those seeds.
    /// </summary>
    public StudyDefinition VerdictStudy()
    {
        var top = Leaderboard().Where(t => !Planner.BracketOf(t.Trial.Number).OverTime(t.Trial)).Take(_search.VerdictTop).ToList();
        var baseline = Baseline with { Name = $"baseline: {Baseline.Name}" };
        var runs = new List<RunDefinition> { baseline };
        runs.AddRange(top.Select((t, i) => TrialRun(t.Trial.Drawn, $"best {i + 1}: trial {t.Trial.Number}")));
        return new StudyDefinition($"{_study.Name}: verdict", _study.Dataset, _search.VerdictSeeds, runs,
            runs.Skip(1).Select(r => new ComparisonDefinition($"{r.Name} vs baseline", r.Name, baseline.Name, "test_accuracy")).ToList())
        {
            SeedOffset = 1000,
        };
    }
}

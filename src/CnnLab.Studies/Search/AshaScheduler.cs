using System.Globalization;
using System.Text.Json.Nodes;
using CnnLab.Studies.Reporting;

namespace CnnLab.Studies.Search;

/// <summary>
/// Asynchronous successive halving (ASHA; Li et al., "A System for Massively Parallel Hyperparameter Tuning", MLSys
/// 2020), with the fidelity in epochs: rung k trains to <c>min_epochs * eta^k</c> epochs (the last rung to
/// <c>max_epochs</c>). Whenever a worker is free, the highest rung with a promotable trial gives it that trial's next
/// rung; otherwise it starts a new trial. A trial is promotable from rung k when it is among the top 1/eta of the
/// trials that finished rung k.
/// <para>
/// Seed-aware: a trial's rung score is its mean over its seeds, and with two or more seeds a trial outside the top
/// 1/eta is promoted too unless a one-sided paired t-test over the seeds says it is worse than the weakest of the
/// leaders (p below <see cref="Alpha"/>), in which case it is stopped: one unlucky seed does not end a good
/// configuration. Optuna's WilcoxonPruner applies the same idea over instances; over seeds the t-test has n - 1 degrees
/// of freedom, so with 2 seeds it rarely stops anything and 3 or more seeds are what make the rule prune.
/// </para>
/// </summary>
public sealed class AshaScheduler
{
    /// <summary>Creates the scheduler.</summary>
    public AshaScheduler(int minEpochs, int maxEpochs, int reductionFactor, IReadOnlyList<int> seeds, double alpha = 0.05,
        double? maxTrainSeconds = null)
    {
        if (minEpochs < 1 || maxEpochs < minEpochs || reductionFactor < 2 || seeds.Count == 0 || alpha is <= 0 or >= 1)
        {
            throw new ArgumentException($"Invalid ASHA settings: min_epochs={minEpochs}, max_epochs={maxEpochs}, " +
                $"reduction_factor={reductionFactor}, seeds={seeds.Count}, alpha={alpha}. Expected 1 <= min_epochs <= max_epochs, " +
                "reduction_factor >= 2, at least one seed and 0 < alpha < 1.");
        }
        var rungs = new List<int>();
        for (long epochs = minEpochs; epochs < maxEpochs; epochs *= reductionFactor)
        {
            rungs.Add((int)epochs);
        }
        rungs.Add(maxEpochs);
        RungEpochs = rungs;
        ReductionFactor = reductionFactor;
        Seeds = seeds;
        Alpha = alpha;
        MaxTrainSeconds = maxTrainSeconds;
    }

    /// <summary>
    /// The constraint on training time, or null: a trial whose projected training to the last rung takes longer is
    /// stopped at the end of its rung and never counts among the leaders.
    /// </summary>
    public double? MaxTrainSeconds { get; }

    /// <summary>Whether <paramref name="trial"/>'s projected training to the last rung is over <see cref="MaxTrainSeconds"/>.</summary>
    public bool OverTime(Trial trial) =>
        MaxTrainSeconds is { } limit && trial?.ProjectedSeconds(RungEpochs[^1]) is { } projected && projected > limit;

    /// <summary>The epochs a trial has trained when it finishes each rung.</summary>
    public IReadOnlyList<int> RungEpochs { get; }

    /// <summary>eta: one in this many trials of a rung is promoted by rank.</summary>
    public int ReductionFactor { get; }

    /// <summary>The seeds every trial trains with.</summary>
    public IReadOnlyList<int> Seeds { get; }

    /// <summary>The paired test's level below which a trial outside the leaders is stopped.</summary>
    public double Alpha { get; }

    /// <summary>
    /// The next promotion the state allows, as the journal record that makes it (with the inputs of the decision), or
    /// null when no finished trial may go on: the caller then samples a new trial or waits. <paramref name="member"/>
    /// picks the trials this scheduler ranks (a Hyperband bracket's); all when null.
    /// </summary>
    public JsonObject? NextPromotion(SearchState state, out IReadOnlyList<JsonObject> stops, Func<Trial, bool>? member = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        var stopped = new List<JsonObject>();
        stops = stopped;
        for (var rung = RungEpochs.Count - 2; rung >= 0; rung--)
        {
            var complete = state.Trials.Where(t => (member is null || member(t)) && t.Complete(rung, Seeds)).ToList();
            // Trials over the time limit are stopped and leave the ranking: the leaders are the best of those that fit.
            foreach (var slow in complete.Where(t => t.Rung == rung && t.StoppedAt is null && OverTime(t)))
            {
                stopped.Add(TimeStop(slow, rung));
            }
            var finished = complete.Where(t => !OverTime(t)).OrderByDescending(t => t.Mean(rung, Seeds)).ThenBy(t => t.Number).ToList();
            var leaderCount = finished.Count / ReductionFactor;
            var leaders = finished.Take(leaderCount).ToList();
            JsonObject? promotion = null;
            // Every candidate of the rung is judged, so the stops are written with the promotion that comes first.
            foreach (var trial in finished.Where(t => t.Rung == rung && t.StoppedAt is null))
            {
                var decision = Decide(trial, rung, leaders);
                switch (decision["type"]!.GetValue<string>())
                {
                    case "promote":
                        promotion ??= decision;
                        break;
                    case "stop":
                        stopped.Add(decision);
                        break;
                }
            }
            if (promotion is not null)
            {
                return promotion;
            }
        }
        return null;
    }

    private JsonObject TimeStop(Trial trial, int rung)
    {
        var projected = trial.ProjectedSeconds(RungEpochs[^1])!.Value;
        return new JsonObject
        {
            ["type"] = "stop",
            ["trial"] = trial.Number,
            ["rung"] = rung,
            ["projected_seconds"] = projected,
            ["reason"] = string.Create(CultureInfo.InvariantCulture,
                $"{RungEpochs[^1]} epochs would take about {projected:F0} s of training, over max_train_seconds {MaxTrainSeconds}"),
        };
    }

    /// <summary>
    /// What happens to <paramref name="trial"/> after <paramref name="rung"/> given the rung's
    /// <paramref name="leaders"/> (best first): "promote" (a leader, or not worse by the paired test), "stop" (worse by
    /// the paired test) or "wait" (not among the leaders yet, one seed: later trials may make room).
    /// </summary>
    public JsonObject Decide(Trial trial, int rung, IReadOnlyList<Trial> leaders)
    {
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentNullException.ThrowIfNull(leaders);
        var mean = trial.Mean(rung, Seeds);
        var record = new JsonObject
        {
            ["trial"] = trial.Number,
            ["rung"] = rung + 1,
            ["from_rung"] = rung,
            ["mean"] = mean,
            ["leaders"] = new JsonArray(leaders.Select(l => (JsonNode)l.Number).ToArray()),
        };
        if (leaders.Any(l => l.Number == trial.Number))
        {
            record["type"] = "promote";
            record["rule"] = "top 1/" + ReductionFactor;
            return record;
        }
        if (Seeds.Count < 2 || leaders.Count == 0)
        {
            record["type"] = "wait";
            return record;
        }
        var weakest = leaders[^1];
        var test = PairedTTest.Compute(Seeds.Select(s => trial.Scores[rung][s]).ToList(),
            Seeds.Select(s => weakest.Scores[rung][s]).ToList());
        // One-sided: the trial is worse only when its differences are negative and the two-sided p halves below alpha.
        var oneSided = double.IsNaN(test.PValue) ? 1.0 : test.MeanDifference < 0 ? test.PValue / 2 : 1 - test.PValue / 2;
        record["against"] = weakest.Number;
        record["p"] = oneSided;
        record["type"] = oneSided < Alpha ? "stop" : "promote";
        record["rung"] = oneSided < Alpha ? rung : rung + 1;
        record["rule"] = "paired t-test over " + Seeds.Count + " seeds";
        return record;
    }
}

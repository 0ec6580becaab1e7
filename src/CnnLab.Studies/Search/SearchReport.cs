using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CnnLab.Formats;
using CnnLab.Studies.Experiments;
using CnnLab.Studies.Reporting;

namespace CnnLab.Studies.Search;

/// <summary>
/// A search's report (report.md in its folder): the verdict in words (is the best found better than the baseline, by
/// how much, with a 95% interval and a paired test over fresh seeds), the leaderboard with where each trial stopped and
/// why, the trials' curves, and how each parameter relates to the objective. Written from whatever has finished.
/// </summary>
public static class SearchReport
{
    /// <summary>The verdict's study folder inside a search's folder.</summary>
    public const string VerdictFolder = "verdict";

    /// <summary>
    /// Writes report.md and its charts; returns the report's path. The wall time is the search phase's over all its
    /// invocations, from <see cref="SearchClock"/>'s file (left out for a folder that has none).
    /// </summary>
    public static string Write(string folder, SearchRunner runner, StudyDefinition verdict, IReadOnlyList<RunResult> verdictResults)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(verdict);
        ArgumentNullException.ThrowIfNull(verdictResults);
        var search = runner.Definition;
        var records = runner.Journal.Read();
        var state = SearchState.Replay(records);
        var rungs = runner.Planner.Scheduler.RungEpochs;
        var brackets = runner.Planner.Brackets;
        var results = records.Where(r => r["type"]?.GetValue<string>() == "result").ToList();
        var hours = results.Sum(r => r["seconds"]?.GetValue<double>() ?? 0) / 3600;
        var epochs = results.Sum(r => r["epochs"]?.GetValue<int>() ?? 0);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# Search: {verdict.Name.Replace(": verdict", "", StringComparison.Ordinal)}\n\n");
        var schedule = search.Scheduler == "none" ? "every trial trained to the end"
            : search.Scheduler == "hyperband"
                ? $"Hyperband: {brackets.Count} ASHA brackets, rungs at " +
                  string.Join("; ", brackets.Select(b => string.Join(", ", b.RungEpochs))) +
                  $" epoch(s), trials taken in turn, one in {search.ReductionFactor} promoted by rank"
                : $"ASHA rungs at {string.Join(", ", rungs)} epoch(s), one in {search.ReductionFactor} promoted by rank";
        var wall = new SearchClock(folder).Read() is not { } clock ? ""
            : $", {Duration(clock.WallTime)} of wall time while a worker ran ({clock.Workers} worker " +
              $"process{(clock.Workers == 1 ? "" : "es")})";
        text.Append(CultureInfo.InvariantCulture,
            $"{state.Trials.Count} trial(s) sampled by {search.Sampler} (budget {search.Trials}), {search.Seeds} seed(s) each, ranked by " +
            $"{search.Objective} on the validation split; {schedule}. {hours:F2} h of training over the trials' rungs{wall}.\n\n");
        Verdict(text, verdict, verdictResults);
        Leaderboard(text, runner, state);
        Directory.CreateDirectory(Path.Combine(folder, ResultsFolder.Charts));
        Curves(text, folder, runner);
        TimeAndScore(text, folder, runner);
        Parameters(text, folder, runner, state);
        text.Append(CultureInfo.InvariantCulture, $"\nThe journal ({SearchJournal.FileName}) holds every trial, score and decision " +
            $"with its inputs; {epochs} epoch(s) were trained over all trials and seeds.\n");
        var path = Path.Combine(folder, ResultsFolder.ReportMarkdown);
        AtomicFile.WriteText(path, text.ToString());
        return path;
    }

    /// <summary>Hours, minutes and seconds; a search may run for days, so the hours are not wrapped at 24.</summary>
    private static string Duration(TimeSpan time) =>
        string.Create(CultureInfo.InvariantCulture, $"{(int)time.TotalHours:00}:{time.Minutes:00}:{time.Seconds:00}");

    private static void Verdict(StringBuilder text, StudyDefinition verdict, IReadOnlyList<RunResult> results)
    {
        text.Append("## Verdict\n\n");
        if (verdict.Runs.Count < 2)
        {
            text.Append("No configuration to retrain (`verdict.top: 0`, or no trial finished a rung).\n\n");
            return;
        }
        if (results.Count == 0)
        {
            text.Append("The verdict has not been trained yet: `cnnlab search FILE --out DIR --resume` trains it.\n\n");
            return;
        }
        var baseline = verdict.Runs[0].Name;
        foreach (var comparison in verdict.Comparisons)
        {
            var pairs = results.Where(r => r.Run == comparison.First)
                .Join(results.Where(r => r.Run == baseline), a => a.Seed, b => b.Seed, (a, b) => (a.TestAccuracy, b.TestAccuracy)).ToList();
            var test = PairedTTest.Compute(pairs.Select(p => p.Item1).ToList(), pairs.Select(p => p.Item2).ToList());
            var interval = test.Pairs >= 2 ? test.ConfidenceInterval() : (double.NaN, double.NaN);
            text.Append(CultureInfo.InvariantCulture, $"- **{comparison.First}**: {StudyReport.Verdict(comparison, test)}");
            if (test.Pairs >= 2)
            {
                text.Append(CultureInfo.InvariantCulture,
                    $" Mean difference {100 * test.MeanDifference:+0.00;-0.00} points, 95% CI [{100 * interval.Item1:+0.00;-0.00}, " +
                    $"{100 * interval.Item2:+0.00;-0.00}].");
            }
            text.Append('\n');
        }
        text.Append(CultureInfo.InvariantCulture, $"\nTrained from scratch to the end on fresh seeds " +
            $"({string.Join(", ", Enumerable.Range(verdict.SeedOffset + 1, verdict.Seeds))}) and tested on the test split; the full " +
            $"study report is [{VerdictFolder}/report.md]({VerdictFolder}/report.md).\n\n");
        text.Append("| run | test accuracy | training s per run | seeds |\n| --- | ---: | ---: | ---: |\n");
        foreach (var run in verdict.Runs)
        {
            var runs = results.Where(r => r.Run == run.Name).ToList();
            var seconds = runs.Select(r => r.SecondsPerEpoch * r.Epochs).ToList();
            var accuracy = StudyReport.MeanStd(runs.Select(r => r.TestAccuracy).ToList());
            text.Append(CultureInfo.InvariantCulture, $"| {run.Name} | {accuracy} | " +
                $"{StudyReport.MeanStd(seconds, "F0")} | {runs.Count} |\n");
        }
        text.Append('\n');
    }

    private static void Leaderboard(StringBuilder text, SearchRunner runner, SearchState state)
    {
        var space = runner.Definition.ParsedSpace;
        var seeds = runner.Planner.Seeds;
        text.Append("## Leaderboard\n\n| rank | trial | configuration | epochs reached | " + runner.Definition.Objective +
                    " (mean over seeds) | training s, projected to the end | how it ended |\n" +
                    "| ---: | ---: | --- | ---: | ---: | ---: | --- |\n");
        var rank = 0;
        foreach (var (trial, rung, epochs, score) in runner.Leaderboard())
        {
            var rungs = runner.Planner.BracketOf(trial.Number).RungEpochs;
            var mean = runner.Definition.Minimize ? -score : score;
            var ended = trial.StopReason is { } why ? $"stopped: {why}"
                : trial.StoppedAt is { } at ? $"stopped after rung {at}: a paired test over its seeds said it is worse"
                : runner.Planner.BracketOf(trial.Number).OverTime(trial) ? "trained to the end, over max_train_seconds"
                : rung == rungs.Count - 1 ? "trained to the end"
                : trial.Rung > rung ? $"promoted to rung {trial.Rung}, in training"
                : $"not promoted past rung {rung}";
            text.Append(CultureInfo.InvariantCulture,
                $"| {++rank} | {trial.Number} | {space.Describe(trial.Drawn)} | {epochs} | {mean:F4} | " +
                $"{trial.ProjectedSeconds(rungs[^1]):F0} | {ended} |\n");
        }
        var unscored = state.Trials.Count(t => !t.Complete(0, seeds));
        text.Append(unscored > 0 ? $"\n{unscored} trial(s) have not finished their first rung.\n\n" : "\n");
    }

    private static void Curves(StringBuilder text, string folder, SearchRunner runner)
    {
        var metric = runner.Definition.Objective;
        var series = new List<(string Name, IReadOnlyList<double> Values)>();
        foreach (var (trial, _, _, _) in runner.Leaderboard().Take(12))
        {
            var curves = runner.Planner.Seeds
                .Select(s => ReadCurve(Path.Combine(runner.TrialFolder(trial.Number, s), ResultsFolder.HistoryJson), metric))
                .Where(c => c.Count > 0).ToList();
            if (curves.Count == 0)
            {
                continue;
            }
            var length = curves.Min(c => c.Count);
            series.Add(($"trial {trial.Number}" + (trial.StoppedAt is { } at ? $" (stopped, rung {at})" : ""),
                Enumerable.Range(0, length).Select(e => curves.Average(c => c[e])).ToList()));
        }
        if (series.Count == 0)
        {
            return;
        }
        File.WriteAllBytes(Path.Combine(folder, ResultsFolder.Charts, "trials.png"),
            Charts.Curves($"{metric} per epoch, the best trials (mean over seeds); a line ends where its trial stopped", metric, series));
        text.Append(CultureInfo.InvariantCulture, $"## Trials\n\n![{metric} per epoch]({ResultsFolder.Charts}/trials.png)\n\n");
    }

    private static void TimeAndScore(StringBuilder text, string folder, SearchRunner runner)
    {
        var objective = runner.Definition.Objective;
        var finished = runner.Leaderboard()
            .Where(t => t.Rung == runner.Planner.BracketOf(t.Trial.Number).RungEpochs.Count - 1 && t.Trial.StoppedAt is null)
            .Select(t => (Trial: t.Trial.Number, Seconds: t.Trial.ProjectedSeconds(t.Epochs) ?? double.NaN,
                Objective: runner.Definition.Minimize ? -t.Score : t.Score))
            .Where(t => double.IsFinite(t.Seconds)).OrderBy(t => t.Trial).ToList();
        if (finished.Count < 2)
        {
            return;
        }
        var front = ParetoFront.Of(finished, t => runner.Definition.Minimize ? -t.Objective : t.Objective, t => t.Seconds);
        var limit = runner.Definition.MaxTrainSeconds;
        File.WriteAllBytes(Path.Combine(folder, ResultsFolder.Charts, "time-and-score.png"),
            SearchCharts.TimeAndScore(objective, finished, front.ToList(), limit));
        var space = runner.Definition.ParsedSpace;
        var drawn = SearchState.Replay(runner.Journal.Read()).Trials;
        var limitText = limit is { } max
            ? string.Create(CultureInfo.InvariantCulture, $" Trials over max_train_seconds ({max:F0} s) cannot win the verdict.")
            : "";
        text.Append(CultureInfo.InvariantCulture, $"## Time and {objective}\n\nTraining time as a second objective: each trial " +
            $"trained to the end, its {objective} (mean over seeds) against its training seconds (measured per epoch, mean over " +
            $"seeds). On the front, no trial is both faster and better; off it, a trial is beaten on one count and no better on " +
            $"the other.{limitText}" +
            $"\n\n![{objective} against training time]({ResultsFolder.Charts}/time-and-score.png)\n\n" +
            $"| trial | configuration | training s | {objective} |\n| ---: | --- | ---: | ---: |\n");
        foreach (var (trial, seconds, value) in front)
        {
            // With one rung nothing stops a slow trial early: the front may end in trials the verdict cannot take.
            var mark = limit is { } cap && seconds > cap ? " (over max_train_seconds)" : "";
            text.Append(CultureInfo.InvariantCulture,
                $"| {trial} | {space.Describe(drawn[trial].Drawn)} | {seconds:F0}{mark} | {value:F4} |\n");
        }
        text.Append('\n');
    }

    private static void Parameters(StringBuilder text, string folder, SearchRunner runner, SearchState state)
    {
        var space = runner.Definition.ParsedSpace;
        var seeds = runner.Planner.Seeds;
        var scored = state.Trials.Where(t => t.Complete(0, seeds)).ToList();
        if (scored.Count == 0)
        {
            return;
        }
        double Score(Trial t) => runner.Definition.Minimize ? -t.Mean(0, seeds) : t.Mean(0, seeds);
        text.Append(CultureInfo.InvariantCulture, $"## Parameters\n\nEach trial's {runner.Definition.Objective} after the first rung " +
            $"(every trial has it) against each parameter.\n\n");
        foreach (var parameter in space.Parameters)
        {
            var points = scored.Where(t => t.Drawn.ContainsKey(parameter.Key)).Select(t => (t.Drawn[parameter.Key], Score(t))).ToList();
            var labels = parameter.Kind == ParameterKind.Choice
                ? parameter.Choices.Select(c => c?.ToJsonString().Trim('"') ?? "null").ToList()
                : null;
            var file = ResultsFolder.Slug(parameter.Key) + ".png";
            File.WriteAllBytes(Path.Combine(folder, ResultsFolder.Charts, file),
                SearchCharts.Parameter(parameter.Key, runner.Definition.Objective, points, parameter.Log, labels));
            text.Append(CultureInfo.InvariantCulture, $"![{parameter.Key}]({ResultsFolder.Charts}/{file})\n");
        }
        var axes = space.Parameters.Select(p => p.Key).ToList();
        var rows = scored.Select(t => ((IReadOnlyList<double>)space.Parameters.Select(p => !t.Drawn.TryGetValue(p.Key, out var v) ? -0.05
            : p.Kind == ParameterKind.Choice ? (p.Choices.Count == 1 ? 0.5 : v / (p.Choices.Count - 1)) : p.ToUnit(v)).ToList(),
            Score(t))).ToList();
        File.WriteAllBytes(Path.Combine(folder, ResultsFolder.Charts, "parallel-coordinates.png"),
            SearchCharts.ParallelCoordinates(axes, rows));
        text.Append(CultureInfo.InvariantCulture, $"\n![parallel coordinates]({ResultsFolder.Charts}/parallel-coordinates.png)\n\n");
        text.Append("A parameter that did not apply to a trial (its `when` did not hold) sits just below its axis.\n");
    }

    private static List<double> ReadCurve(string path, string metric)
    {
        try
        {
            return File.Exists(path) && JsonNode.Parse(File.ReadAllText(path))?[metric] is JsonArray values
                ? values.Select(v => v?.GetValue<double>() ?? double.NaN).ToList()
                : new List<double>();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            return new List<double>();   // a half-written or damaged curve: that trial's line is left out, the report goes on
        }
    }
}

using System.Diagnostics;
using System.Text.Json.Nodes;
using CnnLab.Studies.Search;
using CnnLab.Tests.Data;
using SkiaSharp;

namespace CnnLab.Tests.Cli;

/// <summary>
/// `cnnlab search` end to end on a tiny image folder: trials trained by rung, the verdict on fresh seeds, the report;
/// the same decisions from the same file; a changed section refused; kill -9 and --resume.
/// </summary>
public sealed class SearchCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cnnlab-search-").FullName;
    private readonly string _file;

    public SearchCliTests()
    {
        var random = new Random(5);
        for (var i = 0; i < 40; i++)
        {
            var shade = (byte)random.Next(0, 90);
            Fixtures.Image(Path.Combine(_root, "data", "dark", $"{i}.png"), 8, 8, new SKColor(shade, shade, shade));
            Fixtures.Image(Path.Combine(_root, "data", "light", $"{i}.png"), 8, 8,
                new SKColor((byte)(165 + shade), (byte)(165 + shade), (byte)(165 + shade)));
        }
        _file = Path.Combine(_root, "search.yaml");
        File.WriteAllText(_file, Search(trials: 5));
    }

    public void Dispose() => Directory.Delete(_root, true);

    [Fact]
    public async Task A_search_trains_its_trials_by_rung_then_the_verdict_on_fresh_seeds_and_writes_the_report()
    {
        var folder = Path.Combine(_root, "a");

        var result = CliRunner.Run("search", _file, "--out", folder, "--threads", "1");

        Assert.True(result.Code == 0, result.Error);
        var records = new SearchJournal(folder).Read();
        Assert.Equal(5, records.Count(r => r["type"]!.GetValue<string>() == "trial"));
        Assert.Contains(records, r => r["type"]!.GetValue<string>() == "promote");
        Assert.Contains("rungs of 1, 3 epoch(s), 2 seed(s) each", result.Output);
        // The promoted trial went on from its checkpoint: 3 epochs of history, one call per rung.
        var promoted = records.First(r => r["type"]!.GetValue<string>() == "promote")["trial"]!.GetValue<int>();
        var curve = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "trials", $"trial-{promoted:0000}", "seed-1", "history.json")))!;
        Assert.Equal(3, curve["val_accuracy"]!.AsArray().Count);
        foreach (var seed in new[] { 1001, 1002, 1003 })
        {
            Assert.True(File.Exists(Path.Combine(folder, "verdict", "baseline-small", $"seed-{seed}", "metrics.json")));
        }
        var report = File.ReadAllText(Path.Combine(folder, "report.md"));
        Assert.Contains("## Verdict", report);
        Assert.Contains("has the higher test accuracy than", report);
        Assert.Contains("95% CI [", report);
        Assert.Contains("## Leaderboard", report);
        Assert.Contains("trained to the end", report);
        Assert.True(File.Exists(Path.Combine(folder, "charts", "parallel-coordinates.png")));
        Assert.True(File.Exists(Path.Combine(folder, "charts", "learning-rate.png")));
        Assert.True(File.Exists(Path.Combine(folder, "charts", "trials.png")));
        Assert.True(File.Exists(Path.Combine(folder, "verdict", "report.md")));
        await using var dashboard = await CnnLab.Dashboard.DashboardServer.StartAsync(
            new CnnLab.Dashboard.DashboardOptions(new[] { folder }, Port: 0));
        using var http = new HttpClient { BaseAddress = dashboard.Address };
        var detail = JsonNode.Parse(await http.GetStringAsync("/api/results/0"))!;
        var trials = await http.GetStringAsync("/api/results/0/trials.svg");
        Assert.Equal("search", detail["kind"]!.GetValue<string>());
        Assert.Equal(5, detail["leaderboard"]!.AsArray().Count);
        Assert.Contains("data-points=\"3\"", trials, StringComparison.Ordinal);
    }

    [Fact]
    public void Training_time_is_the_second_objective_the_report_lists_exactly_the_trials_no_other_beats_on_both()
    {
        var folder = Path.Combine(_root, "time");
        File.WriteAllText(_file, Search(trials: 4).Replace("scheduler: {min_epochs: 1, reduction_factor: 3}", "scheduler: {type: none}",
            StringComparison.Ordinal).Replace("verdict: {top: 1, seeds: 3}", "verdict: {top: 0}", StringComparison.Ordinal));

        var result = CliRunner.Run("search", _file, "--out", folder, "--threads", "1");

        Assert.True(result.Code == 0, result.Error);
        var state = SearchState.Replay(new SearchJournal(folder).Read());
        var seeds = new[] { 1, 2 };
        var trials = state.Trials.Select(t => (t.Number, Seconds: t.ProjectedSeconds(3)!.Value, Score: t.Mean(0, seeds))).ToList();
        var report = File.ReadAllText(Path.Combine(folder, "report.md"));
        var listed = report[report.IndexOf("## Time and val_accuracy", StringComparison.Ordinal)..].Split('\n')
            .SkipWhile(l => !l.StartsWith("| ---: |", StringComparison.Ordinal)).Skip(1).TakeWhile(l => l.StartsWith('|'))
            .Select(l => int.Parse(l.Split('|')[1], System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        Assert.True(File.Exists(Path.Combine(folder, "charts", "time-and-score.png")));
        Assert.NotEmpty(listed);
        foreach (var trial in trials)
        {
            var beaten = trials.Any(o => o.Seconds <= trial.Seconds && o.Score >= trial.Score
                && (o.Seconds, o.Score) != (trial.Seconds, trial.Score));
            var shown = listed.Contains(trial.Number);
            Assert.True(beaten != shown, $"trial {trial.Number}: beaten {beaten}, listed {shown}");
        }
    }

    [Fact]
    public void The_same_file_gives_the_same_trials_scores_and_decisions_and_kill_9_with_resume_changes_none_of_them()
    {
        var whole = Path.Combine(_root, "whole");
        var killed = Path.Combine(_root, "killed");
        Assert.True(CliRunner.Run("search", _file, "--out", whole, "--threads", "1") is { Code: 0 } ok, "first search failed");

        KillDuringTrial(killed, afterResults: 3);
        var resumed = CliRunner.Run("search", _file, "--out", killed, "--resume", "--threads", "1");

        Assert.True(resumed.Code == 0, resumed.Error);
        Assert.Equal(Decisions(whole), Decisions(killed));
        // The wall time spans both invocations of the killed search: two worker processes on its clock.
        Assert.Matches(@"h of training over the trials' rungs, \d\d:\d\d:\d\d of wall time while a worker ran \(1 worker process\)\.\n",
            File.ReadAllText(Path.Combine(whole, "report.md")));
        Assert.Matches(@"h of training over the trials' rungs, \d\d:\d\d:\d\d of wall time while a worker ran \(2 worker processes\)\.\n",
            File.ReadAllText(Path.Combine(killed, "report.md")));
    }

    [Fact]
    public void Two_worker_processes_share_the_journal_and_the_verdict_and_never_train_anything_twice()
    {
        var folder = Path.Combine(_root, "parallel");

        var result = CliRunner.Run("search", _file, "--out", folder, "--parallel", "2");

        Assert.True(result.Code == 0, result.Error);
        var results = new SearchJournal(folder).Read().Where(r => r["type"]!.GetValue<string>() == "result")
            .Select(r => (r["trial"]!.GetValue<int>(), r["rung"]!.GetValue<int>(), r["seed"]!.GetValue<int>())).ToList();
        Assert.Equal(results.Count, results.Distinct().Count());
        Assert.Equal(5, results.Select(r => r.Item1).Distinct().Count());
        Assert.Contains("of wall time while a worker ran (2 worker processes).", File.ReadAllText(Path.Combine(folder, "report.md")),
            StringComparison.Ordinal);
        // The verdict is shared by two processes too: each of its 6 run-seeds trained to its last epoch exactly once,
        // with the workers' thread count.
        var lastEpochs = result.Output.Split('\n').Select(l => System.Text.RegularExpressions.Regex.Match(l,
            @"^\[run \d+/6\] (.+), seed (\d+), epoch 3/3 ")).Where(m => m.Success).Select(m => (m.Groups[1].Value, m.Groups[2].Value))
            .ToList();
        Assert.Equal(6, lastEpochs.Count);
        Assert.Equal(6, lastEpochs.Distinct().Count());
        var threads = Directory.GetFiles(Path.Combine(folder, "verdict"), "task.json", SearchOption.AllDirectories)
            .Select(f => JsonNode.Parse(File.ReadAllText(f))!["threads"]!.GetValue<int>()).ToList();
        Assert.Equal(Enumerable.Repeat(Math.Max(1, Environment.ProcessorCount / 2), 6), threads);
        Assert.True(File.Exists(Path.Combine(folder, "verdict", "report.md")));
    }

    [Fact]
    public void A_changed_search_section_is_refused_naming_the_difference_and_a_larger_budget_extends_the_search()
    {
        var folder = Path.Combine(_root, "a");
        Assert.Equal(0, CliRunner.Run("search", _file, "--out", folder, "--threads", "1").Code);

        File.WriteAllText(_file, Search(trials: 5).Replace("float: [0.001, 0.05]", "float: [0.001, 0.1]", StringComparison.Ordinal));
        var changed = CliRunner.Run("search", _file, "--out", folder, "--resume", "--threads", "1");
        File.WriteAllText(_file, Search(trials: 4));
        var shrunk = CliRunner.Run("search", _file, "--out", folder, "--resume", "--threads", "1");
        File.WriteAllText(_file, Search(trials: 7));
        var grown = CliRunner.Run("search", _file, "--out", folder, "--resume", "--threads", "1");

        Assert.True(changed.Code == 1, changed.Error);
        Assert.Equal($"error: The results in {folder} belong to a different study: the study.Search.Space.learning_rate.float[1] is " +
            "0.05 there and 0.1 here. Resume with the same study file and options, or use a new --out folder.\n", changed.Error);
        Assert.Equal(1, shrunk.Code);
        Assert.StartsWith($"error: The search in {folder} has a budget of 5 trials; a resumed search may keep or grow its budget",
            shrunk.Error, StringComparison.Ordinal);
        Assert.True(grown.Code == 0, grown.Error);
        Assert.Equal(7, new SearchJournal(folder).Read().Count(r => r["type"]!.GetValue<string>() == "trial"));
    }

    private string Search(int trials) => $$"""
        name: tiny search
        dataset: {{Path.Combine(_root, "data")}}
        training: {epochs: 3, batch_size: 8, validation_split: 0.25}
        base:
          name: small
          model: {blocks: [[4]], dense: [8]}
          optimizer: adam
        search:
          space:
            learning_rate: {float: [0.001, 0.05], log: true}
            model.dense: {choice: [[8], [16]]}
          seeds: 2
          sampler: random
          scheduler: {min_epochs: 1, reduction_factor: 3}
          budget: {trials: {{trials}}}
          verdict: {top: 1, seeds: 3}
        """;

    /// <summary>Every record but the seconds each epoch took: what a replay must reproduce bit for bit.</summary>
    private static List<string> Decisions(string folder) => new SearchJournal(folder).Read().Select(r =>
    {
        r.Remove("seconds");
        return r.ToJsonString();
    }).ToList();

    private void KillDuringTrial(string folder, int afterResults)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "CnnLab.Cli.dll"), "search", _file, "--out", folder,
            "--threads", "1" })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var journal = new SearchJournal(folder);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(2) && !process.HasExited &&
               journal.Read().Count(r => r["type"]!.GetValue<string>() == "result") <= afterResults)
        {
            Thread.Sleep(10);
        }
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
        Assert.False(File.Exists(Path.Combine(folder, "report.md")), "the search finished before it was killed");
    }
}

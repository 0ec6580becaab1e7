using System.Globalization;
using System.Text.Json.Nodes;
using CnnLab.Studies.Experiments;
using CnnLab.Studies.Search;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CnnLab.Dashboard;

/// <summary>
/// The dashboard's endpoints: the page (embedded), the results folders as JSON (<c>/api/results</c>), one folder's
/// tasks, runs and, for a search, its leaderboard (<c>/api/results/{id}</c>), a run's curves as SVG, and the folder's
/// own files (<c>/files/{id}/report.html</c>, charts). Every read of a results file is guarded: what cannot be read is
/// "unreadable" in the answer.
/// </summary>
internal static class DashboardApi
{
    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8", [".md"] = "text/plain; charset=utf-8", [".png"] = "image/png",
        [".svg"] = "image/svg+xml", [".json"] = "application/json", [".jsonl"] = "text/plain; charset=utf-8",
        [".csv"] = "text/csv; charset=utf-8", [".yaml"] = "text/plain; charset=utf-8", [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
    };

    public static void Map(IEndpointRouteBuilder app, ResultsCatalog catalog)
    {
        foreach (var (route, resource) in new[] { ("/", "index.html"), ("/app.js", "app.js"), ("/app.css", "app.css") })
        {
            app.MapGet(route, () => Embedded(resource));
        }
        // Browsers ask for it on their own; no icon, and no 404 in their console.
        app.MapGet("/favicon.ico", () => Results.NoContent());
        app.MapGet("/api/results", () => Results.Text(new JsonArray(catalog.Entries().Select(e => (JsonNode)Summary(e)).ToArray())
            .ToJsonString(), "application/json"));
        app.MapGet("/api/results/{id:int}", (int id) => catalog.Find(id) is { } entry
            ? Results.Text(Detail(entry).ToJsonString(), "application/json")
            : Results.NotFound());
        app.MapGet("/api/results/{id:int}/curves.svg", (int id, string? run) => catalog.Find(id) is { } entry && run is not null
            ? Results.Text(Curves(entry, run), "image/svg+xml")
            : Results.NotFound());
        app.MapGet("/api/results/{id:int}/trials.svg", (int id) => catalog.Find(id) is { } entry
            ? Results.Text(TrialCurves(entry), "image/svg+xml")
            : Results.NotFound());
        app.MapGet("/files/{id:int}/{**path}", (int id, string? path) =>
        {
            var file = catalog.Find(id) is { } entry ? SafePaths.Resolve(entry.Folder, path) : null;
            return file is null ? Results.NotFound()
                : Results.File(file, ContentTypes.GetValueOrDefault(Path.GetExtension(file), "application/octet-stream"));
        });
    }

    private static IResult Embedded(string name)
    {
        var stream = typeof(DashboardApi).Assembly.GetManifestResourceStream("wwwroot/" + name);
        return stream is null ? Results.NotFound() : Results.Stream(stream, ContentTypes[Path.GetExtension(name)]);
    }

    private static JsonObject Summary(ResultsEntry entry) => Summary(entry, out _, out _);

    // The study and its tasks as read for the summary, so a folder's detail does not read every task's files again.
    private static JsonObject Summary(ResultsEntry entry, out StudyDefinition? study, out IReadOnlyList<TaskProgress>? tasks)
    {
        var summary = new JsonObject { ["id"] = entry.Id, ["folder"] = entry.Folder };
        (study, tasks) = (null, null);
        try
        {
            study = StudyCache.Read(entry.Folder);
            tasks = TaskProgress.Read(study, entry.Folder);
            summary["name"] = study.Name;
            summary["kind"] = study.Search is null ? "study" : "search";
            summary["tasks"] = tasks.Count;
            summary["finished"] = tasks.Count(t => t.Status.State == TaskState.Finished);
            summary["running"] = tasks.Count(t => t.Status.State == TaskState.InProgress);
            summary["report"] = File.Exists(Path.Combine(entry.Folder, ResultsFolder.ReportHtml))
                || File.Exists(Path.Combine(entry.Folder, ResultsFolder.ReportMarkdown));
        }
        catch (Exception e) when (Readable(e))
        {
            summary["name"] = Path.GetFileName(entry.Folder);
            summary["unreadable"] = FirstLine(e.Message);
        }
        return summary;
    }

    private static JsonObject Detail(ResultsEntry entry)
    {
        var detail = Summary(entry, out var study, out var tasks);
        if (study is null || tasks is null)
        {
            return detail;
        }
        try
        {
            detail["runs"] = new JsonArray(study.Runs.Select(r => (JsonNode)r.Name).ToArray());
            detail["rows"] = new JsonArray(tasks.Select(t => (JsonNode)Row(t)).ToArray());
            detail["comparisons"] = new JsonArray(study.Comparisons.Select(c => (JsonNode)Comparison(c, tasks)).ToArray());
            if (tasks.LastOrDefault(t => t.TestAccuracy is not null) is { } tested)
            {
                detail["confusion"] = Confusion(entry.Folder, tested);
            }
            detail["report_file"] = File.Exists(Path.Combine(entry.Folder, ResultsFolder.ReportHtml)) ? ResultsFolder.ReportHtml
                : File.Exists(Path.Combine(entry.Folder, ResultsFolder.ReportMarkdown)) ? ResultsFolder.ReportMarkdown : null;
            if (study.Search is not null)
            {
                var runner = new SearchRunner(study, entry.Folder, TextWriter.Null);
                detail["trial_curves"] = true;
                detail["leaderboard"] = new JsonArray(runner.Leaderboard().Take(50).Select(l => (JsonNode)new JsonObject
                {
                    ["trial"] = l.Trial.Number,
                    ["configuration"] = study.Search.ParsedSpace.Describe(l.Trial.Drawn),
                    ["epochs"] = l.Epochs,
                    ["score"] = study.Search.Minimize ? -l.Score : l.Score,
                    ["stopped"] = l.Trial.StoppedAt is not null,
                }).ToArray());
            }
        }
        catch (Exception e) when (Readable(e))
        {
            detail["unreadable"] = FirstLine(e.Message);
        }
        return detail;
    }

    private static JsonObject Row(TaskProgress t) => new()
    {
        ["task"] = t.Status.Task.Index,
        ["run"] = t.Status.Task.Run.Name,
        ["seed"] = t.Status.Task.Seed,
        ["status"] = t.Unreadable ? "unreadable" : t.Status.State switch
        {
            TaskState.Finished => "finished",
            TaskState.InProgress => "running",
            TaskState.Interrupted => "interrupted",
            _ => "waiting",
        },
        ["epoch"] = t.EpochsDone,
        ["epochs"] = t.Status.Task.Run.Training.Epochs,
        ["eta"] = t.Eta is { } eta ? eta.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture) : null,
        ["host"] = t.Host,
        ["threads"] = t.Threads,
        ["accuracy"] = t.LastAccuracy is { } a && double.IsFinite(a) ? a : null,
        ["test"] = t.TestAccuracy is not null,
    };

    /// <summary>Each seed's validation accuracy (training accuracy without validation) per epoch, from the epoch logs.</summary>
    private static string Curves(ResultsEntry entry, string run)
    {
        try
        {
            var study = StudyCache.Read(entry.Folder);
            var definition = study.Runs.FirstOrDefault(r => r.Name == run);
            if (definition is null)
            {
                return CurveSvg.Draw($"no run named {run}", Array.Empty<(string, IReadOnlyList<double>)>(), 1);
            }
            var series = new List<(string, IReadOnlyList<double>)>();
            foreach (var seed in Enumerable.Range(study.SeedOffset + 1, study.Seeds))
            {
                var epochs = EpochLog.Read(ResultsFolder.RunFolder(entry.Folder, run, seed));
                if (epochs is null)
                {
                    series.Add(($"seed {seed}: unreadable", Array.Empty<double>()));
                    continue;
                }
                var metric = epochs.Any(e => e.Metrics.ContainsKey("val_accuracy")) ? "val_accuracy" : "accuracy";
                series.Add(($"seed {seed} {metric}", epochs.Select(e => e.Metrics.GetValueOrDefault(metric, double.NaN)).ToList()));
            }
            return CurveSvg.Draw($"{run}: accuracy per epoch", series, definition.Training.Epochs);
        }
        catch (Exception e) when (Readable(e))
        {
            return CurveSvg.Draw($"unreadable: {FirstLine(e.Message)}", Array.Empty<(string, IReadOnlyList<double>)>(), 1);
        }
    }

    /// <summary>A comparison over the seeds both runs finished: the paired difference in test accuracy, its 95% interval, p.</summary>
    private static JsonObject Comparison(ComparisonDefinition comparison, IReadOnlyList<TaskProgress> tasks)
    {
        double? Accuracy(string run, int seed) =>
            tasks.FirstOrDefault(t => t.Status.Task.Run.Name == run && t.Status.Task.Seed == seed)?.TestAccuracy;
        var pairs = tasks.Select(t => t.Status.Task.Seed).Distinct()
            .Select(seed => (A: Accuracy(comparison.First, seed), B: Accuracy(comparison.Second, seed)))
            .Where(p => p.A is not null && p.B is not null).Select(p => (p.A!.Value, p.B!.Value)).ToList();
        var test = Studies.Reporting.PairedTTest.Compute(pairs.Select(p => p.Item1).ToList(), pairs.Select(p => p.Item2).ToList());
        var record = new JsonObject
        {
            ["name"] = comparison.Name, ["a"] = comparison.First, ["b"] = comparison.Second, ["seeds"] = test.Pairs,
            ["difference"] = double.IsFinite(test.MeanDifference) ? test.MeanDifference : null,
            ["p"] = double.IsFinite(test.PValue) ? test.PValue : null,
        };
        if (test.Pairs >= 2 && test.ConfidenceInterval() is var (low, high) && double.IsFinite(low))
        {
            (record["low"], record["high"]) = (low, high);
        }
        return record;
    }

    /// <summary>The confusion matrix of a tested run-seed, with its class names where the dataset has them.</summary>
    private static JsonObject Confusion(string folder, TaskProgress task)
    {
        var result = ResultsFolder.ReadMetrics(Path.Combine(ResultsFolder.RunFolder(folder, task.Status.Task.Run.Name,
            task.Status.Task.Seed), ResultsFolder.Metrics));
        return new JsonObject
        {
            ["run"] = result.Run,
            ["seed"] = result.Seed,
            ["matrix"] = new JsonArray(result.Confusion.Select(row => (JsonNode)new JsonArray(row.Select(v => (JsonNode)v).ToArray()))
                .ToArray()),
        };
    }

    /// <summary>The best trials' objective per epoch (seed 1), each line ending where its trial stopped.</summary>
    private static string TrialCurves(ResultsEntry entry)
    {
        try
        {
            var study = StudyCache.Read(entry.Folder);
            if (study.Search is null)
            {
                return CurveSvg.Draw("not a search", Array.Empty<(string, IReadOnlyList<double>)>(), 1);
            }
            var runner = new SearchRunner(study, entry.Folder, TextWriter.Null);
            var metric = study.Search.Objective;
            var series = runner.Leaderboard().Take(8).Select(l =>
            {
                var epochs = EpochLog.Read(runner.TrialFolder(l.Trial.Number, runner.Planner.Seeds[0])) ?? Array.Empty<EpochEntry>();
                IReadOnlyList<double> values = epochs.Select(e => e.Metrics.GetValueOrDefault(metric, double.NaN)).ToList();
                return ($"trial {l.Trial.Number}", values);
            }).ToList();
            return CurveSvg.Draw($"the best trials: {metric} per epoch (seed {runner.Planner.Seeds[0]})", series,
                study.Runs[0].Training.Epochs);
        }
        catch (Exception e) when (Readable(e))
        {
            return CurveSvg.Draw($"unreadable: {FirstLine(e.Message)}", Array.Empty<(string, IReadOnlyList<double>)>(), 1);
        }
    }

    // What a damaged, half-written or concurrently replaced results file can throw while it is read.
    private static bool Readable(Exception e) => e is IOException or UnauthorizedAccessException or InvalidDataException
        or System.Text.Json.JsonException or StudyFileException or SearchJournalException or FormatException
        or InvalidOperationException or ArgumentException or KeyNotFoundException;

    private static string FirstLine(string message)
    {
        var line = message.Split('\n')[0];
        return line.Length > 300 ? line[..300] : line;
    }
}

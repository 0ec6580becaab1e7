using System.Globalization;
using System.Text;
using CnnLab.Studies.Experiments;

namespace CnnLab.Studies.Reporting;

/// <summary>
/// A finished run-seed and the intra-op threads it was computed with ("2"; "2/1" where a governor varied them;
/// "default" for libtorch's own choice; null where nothing recorded them).
/// </summary>
public sealed record ComparedResult(RunResult Result, string? Threads);

/// <summary>One run present in both folders: its seeds' values on each side and the test over the seeds both have.</summary>
public sealed record RunPairing(string Run, IReadOnlyList<double> First, IReadOnlyList<double> Second, PairedTTest Test);

/// <summary>
/// Two results folders of the same runs compared run by run, paired by seed: the same study in float32 and in
/// mixed_bfloat16, before and after a change to the engine, on two machines. A seed fixes the initial weights and
/// the order of the batches, so the same seed on both sides differs only in what changed between the folders; pairing
/// removes the seed-to-seed spread from the difference. Only runs with the same name are compared.
/// </summary>
public sealed class FolderComparison
{
    /// <summary>The metrics a comparison can be made on.</summary>
    public static readonly IReadOnlyList<string> Metrics =
        new[] { "test_accuracy", "test_loss", "val_accuracy", "best_val_accuracy", "seconds_per_epoch" };

    private FolderComparison(string metric, IReadOnlyList<RunPairing> runs, PairedTTest pooled, IReadOnlyList<string> notes)
    {
        Metric = metric;
        Runs = runs;
        Pooled = pooled;
        Notes = notes;
    }

    /// <summary>What was compared (one of <see cref="Metrics"/>).</summary>
    public string Metric { get; }

    /// <summary>Each run both folders have, in the first folder's order.</summary>
    public IReadOnlyList<RunPairing> Runs { get; }

    /// <summary>Every (run, seed) pair of every run at once.</summary>
    public PairedTTest Pooled { get; }

    /// <summary>What differs in how the two sides were computed, and what could not be paired.</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>
    /// The finished run-seeds of a study's results folder with their threads: those each epoch logged when the thread
    /// count followed the machine's load, else the fixed count of the task's record. Two run-seeds claiming the same run
    /// and seed (a seed folder copied under another name) are an error naming them.
    /// </summary>
    public static IReadOnlyList<ComparedResult> Read(string folder)
    {
        var results = StudyFolder.FinishedResults(StudyFolder.ReadStudy(folder), folder);
        if (results.GroupBy(r => (r.Run, r.Seed)).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new InvalidOperationException($"{folder}: {twice.Count()} finished run-seeds claim run \"{twice.Key.Run}\" seed " +
                $"{twice.Key.Seed} in their metrics.json; each seed-N folder's metrics.json must hold its own run and seed (was a " +
                "seed folder copied under another name?). Remove the copies and compare again.");
        }
        return results.Select(r => new ComparedResult(r, r.Threads is { Count: > 0 } epochs
            ? string.Join("/", epochs.Distinct().Select(t => t.ToString(CultureInfo.InvariantCulture)))
            : TaskRecord.Read(ResultsFolder.RunFolder(folder, r.Run, r.Seed)) is { } task
                ? task.Threads > 0 ? task.Threads.ToString(CultureInfo.InvariantCulture) : "default"
                : null)).ToList();
    }

    /// <summary>
    /// Compares the finished run-seeds of two folders on <paramref name="metric"/> (second minus first). Pairs whose
    /// value is not finite (a diverged run's loss) are left out of the tests and named in the notes.
    /// </summary>
    public static FolderComparison Compare(IReadOnlyList<ComparedResult> firstFolder, IReadOnlyList<ComparedResult> secondFolder,
        string metric)
    {
        ArgumentNullException.ThrowIfNull(firstFolder);
        ArgumentNullException.ThrowIfNull(secondFolder);
        var value = Value(metric);
        var firstRuns = firstFolder.Select(c => c.Result.Run).Distinct().ToList();
        var secondRuns = secondFolder.Select(c => c.Result.Run).Distinct().ToList();
        if (!firstRuns.Intersect(secondRuns).Any())
        {
            throw new InvalidOperationException($"The two folders have no finished run in common: the first has " +
                $"{Names(firstRuns)}, the second {Names(secondRuns)}. Compare folders of the same study (runs are matched by name).");
        }
        var runs = new List<RunPairing>();
        var notes = new List<string>();
        var precisions = new Dictionary<string, string?>();
        var pooled = new List<(double A, double B)>();
        foreach (var run in firstRuns)
        {
            var a = firstFolder.Where(c => c.Result.Run == run).ToDictionary(c => c.Result.Seed);
            var b = secondFolder.Where(c => c.Result.Run == run).ToDictionary(c => c.Result.Seed);
            if (b.Count == 0)
            {
                notes.Add($"\"{run}\" has no finished run-seed in the second folder.");
                continue;
            }
            var seeds = a.Keys.Intersect(b.Keys).Order().ToList();
            var unpaired = a.Keys.Union(b.Keys).Except(seeds).Order().ToList();
            if (unpaired.Count > 0)
            {
                notes.Add($"\"{run}\": seed(s) {string.Join(", ", unpaired)} finished on one side only, not paired.");
            }
            var pairs = seeds.Select(s => (Seed: s, A: value(a[s].Result), B: value(b[s].Result))).ToList();
            var infinite = pairs.Where(p => !double.IsFinite(p.A) || !double.IsFinite(p.B)).Select(p => p.Seed).ToList();
            if (infinite.Count > 0)
            {
                notes.Add($"\"{run}\": seed(s) {string.Join(", ", infinite)} have no finite {metric} on a side, left out.");
            }
            var finite = pairs.Where(p => !infinite.Contains(p.Seed)).ToList();
            pooled.AddRange(finite.Select(p => (p.A, p.B)));
            runs.Add(new RunPairing(run, a.Values.OrderBy(c => c.Result.Seed).Select(c => value(c.Result)).ToList(),
                b.Values.OrderBy(c => c.Result.Seed).Select(c => value(c.Result)).ToList(),
                PairedTTest.Compute(finite.Select(p => p.B).ToList(), finite.Select(p => p.A).ToList())));
            var matched = seeds.Select(s => (a[s], b[s])).ToList();
            precisions[run] = PrecisionNote(matched);
            notes.AddRange(new[] { ThreadNote(run, matched), EpochNote(run, matched) }.OfType<string>());
        }
        notes.AddRange(secondRuns.Except(firstRuns).Select(r => $"\"{r}\" has no finished run-seed in the first folder."));
        // A whole study in another precision is said once, a mixture run by run.
        var distinct = precisions.Values.Distinct().ToList();
        notes.InsertRange(0, distinct is [{ } every] ? new[] { $"Every run was {every}" }
            : precisions.Where(p => p.Value is not null).Select(p => $"\"{p.Key}\": {p.Value}"));
        return new FolderComparison(metric, runs,
            PairedTTest.Compute(pooled.Select(p => p.B).ToList(), pooled.Select(p => p.A).ToList()), notes);
    }

    /// <summary>The comparison as a Markdown table (differences in points for accuracies), its notes as a list below it.</summary>
    public string ToMarkdown(string firstName, string secondName)
    {
        var scale = Metric.Contains("accuracy", StringComparison.Ordinal) ? 100 : 1;
        var unit = scale == 100 ? " (points)" : "";
        var (a, b) = (Cell(firstName), Cell(secondName));
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Metric}, B = {b} against A = {a}, paired by seed:\n\n");
        text.Append(CultureInfo.InvariantCulture, $"| run | A: {a} | B: {b} | B - A{unit} | 95% CI | paired p | pairs |\n");
        text.Append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        foreach (var run in Runs)
        {
            Row(text, Cell(run.Run), $"{StudyReport.MeanStd(run.First)} ({run.First.Count})",
                $"{StudyReport.MeanStd(run.Second)} ({run.Second.Count})", run.Test, scale);
        }
        Row(text, "all runs, pooled", "", "", Pooled, scale);
        if (Notes.Count > 0)
        {
            text.Append('\n');
            foreach (var note in Notes)
            {
                text.Append(CultureInfo.InvariantCulture, $"- {note}\n");
            }
        }
        return text.ToString();
    }

    private static void Row(StringBuilder text, string run, string first, string second, PairedTTest test, int scale)
    {
        var (low, high) = test.ConfidenceInterval();
        var interval = double.IsFinite(low)
            ? string.Create(CultureInfo.InvariantCulture, $"[{scale * low:+0.00;-0.00}, {scale * high:+0.00;-0.00}]")
            : "-";
        var p = double.IsFinite(test.PValue) ? test.PValue.ToString("F3", CultureInfo.InvariantCulture) : "-";
        var mean = double.IsFinite(test.MeanDifference)
            ? (scale * test.MeanDifference).ToString("+0.00;-0.00", CultureInfo.InvariantCulture)
            : "-";
        text.Append(CultureInfo.InvariantCulture, $"| {run} | {first} | {second} | {mean} | {interval} | {p} | {test.Pairs} |\n");
    }

    private static string? PrecisionNote(IReadOnlyList<(ComparedResult A, ComparedResult B)> pairs)
    {
        var precision = pairs.Select(p => (A: p.A.Result.Precision ?? "float32", B: p.B.Result.Precision ?? "float32")).Distinct().ToList();
        return precision.All(p => p.A == p.B) ? null
            : $"computed in {string.Join(", ", precision.Select(p => p.A).Distinct())} in the first folder and " +
              $"{string.Join(", ", precision.Select(p => p.B).Distinct())} in the second.";
    }

    private static string? ThreadNote(string run, IReadOnlyList<(ComparedResult A, ComparedResult B)> pairs)
    {
        var differ = pairs.Where(p => p.A.Threads != p.B.Threads).ToList();
        if (differ.Count == 0)
        {
            return null;
        }
        if (differ.Any(p => p.A.Threads is null || p.B.Threads is null))
        {
            return $"\"{run}\": the intra-op threads of some seeds were not recorded on one side, so whether both were computed " +
                "alike is unknown.";
        }
        return $"\"{run}\": intra-op threads differ ({string.Join("; ", differ.Select(p => $"seed {p.A.Result.Seed}: {p.A.Threads} " +
            $"and {p.B.Threads}"))}), so the arithmetic differs too.";
    }

    private static string? EpochNote(string run, IReadOnlyList<(ComparedResult A, ComparedResult B)> pairs) =>
        pairs.Where(p => p.A.Result.Epochs != p.B.Result.Epochs).Select(p => $"seed {p.A.Result.Seed}: {p.A.Result.Epochs} and " +
            $"{p.B.Result.Epochs}").ToList() is { Count: > 0 } differ
            ? $"\"{run}\": trained for different epochs ({string.Join("; ", differ)}): not the same training."
            : null;

    private static string Names(IReadOnlyList<string> runs) => runs.Count == 0 ? "none" : string.Join(", ", runs.Select(r => $"\"{r}\""));

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    /// <summary>Checks <paramref name="metric"/> is one of <see cref="Metrics"/> (before any folder is read).</summary>
    public static void CheckMetric(string metric) => Value(metric);

    private static Func<RunResult, double> Value(string metric) => metric switch
    {
        "test_accuracy" => r => r.TestAccuracy,
        "test_loss" => r => r.TestLoss,
        "val_accuracy" => r => r.FinalValAccuracy,
        "best_val_accuracy" => r => r.BestValAccuracy,
        "seconds_per_epoch" => r => r.SecondsPerEpoch,
        _ => throw new ArgumentException($"Unknown --metric `{metric}`; use {string.Join(", ", Metrics)}.", nameof(metric)),
    };
}

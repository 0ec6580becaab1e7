using System.Globalization;
using System.Text;
using CnnLab.Studies.Experiments;

namespace CnnLab.Studies.Reporting;

/// <summary>A finished run-seed and the intra-op threads it was computed with ("2"; "2/1" where a governor varied them).</summary>
public sealed record ComparedResult(RunResult Result, string Threads);

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
    private FolderComparison(IReadOnlyList<RunPairing> runs, PairedTTest pooled, IReadOnlyList<string> notes)
    {
        Runs = runs;
        Pooled = pooled;
        Notes = notes;
    }

    /// <summary>Each run both folders have, in the first folder's order.</summary>
    public IReadOnlyList<RunPairing> Runs { get; }

    /// <summary>Every (run, seed) pair of every run at once.</summary>
    public PairedTTest Pooled { get; }

    /// <summary>What differs in how the two sides were computed (precision, threads) and runs only one side has.</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>
    /// The finished run-seeds of a study's results folder with their threads: those each epoch logged when the thread
    /// count followed the machine's load, else the fixed count of the task's record.
    /// </summary>
    public static IReadOnlyList<ComparedResult> Read(string folder) =>
        StudyFolder.FinishedResults(StudyFolder.ReadStudy(folder), folder).Select(r => new ComparedResult(r,
            r.Threads is { Count: > 0 } epochs
                ? string.Join("/", epochs.Distinct().Select(t => t.ToString(CultureInfo.InvariantCulture)))
                : TaskRecord.Read(ResultsFolder.RunFolder(folder, r.Run, r.Seed))?.Threads.ToString(CultureInfo.InvariantCulture)
                  ?? "unrecorded")).ToList();

    /// <summary>Compares the finished run-seeds of two folders on <paramref name="metric"/> (second minus first).</summary>
    public static FolderComparison Compare(IReadOnlyList<ComparedResult> firstFolder, IReadOnlyList<ComparedResult> secondFolder,
        string metric)
    {
        ArgumentNullException.ThrowIfNull(firstFolder);
        ArgumentNullException.ThrowIfNull(secondFolder);
        var firstThreads = firstFolder.ToDictionary(c => (c.Result.Run, c.Result.Seed), c => c.Threads);
        var secondThreads = secondFolder.ToDictionary(c => (c.Result.Run, c.Result.Seed), c => c.Threads);
        var first = firstFolder.Select(c => c.Result).ToList();
        var second = secondFolder.Select(c => c.Result).ToList();
        var value = Metric(metric);
        var runs = new List<RunPairing>();
        var notes = new List<string>();
        var precisions = new Dictionary<string, string?>();
        foreach (var run in first.Select(r => r.Run).Distinct())
        {
            var a = first.Where(r => r.Run == run).ToDictionary(r => r.Seed);
            var b = second.Where(r => r.Run == run).ToDictionary(r => r.Seed);
            if (b.Count == 0)
            {
                notes.Add($"\"{run}\" is only in the first folder.");
                continue;
            }
            var seeds = a.Keys.Intersect(b.Keys).Order().ToList();
            runs.Add(new RunPairing(run, a.Values.OrderBy(r => r.Seed).Select(value).ToList(),
                b.Values.OrderBy(r => r.Seed).Select(value).ToList(),
                PairedTTest.Compute(seeds.Select(s => value(b[s])).ToList(), seeds.Select(s => value(a[s])).ToList())));
            var matched = seeds.Select(s => (a[s], b[s])).ToList();
            precisions[run] = PrecisionNote(matched);
            if (ThreadNote(run, matched.Select(p => (p.Item1.Seed, firstThreads[(run, p.Item1.Seed)],
                    secondThreads[(run, p.Item1.Seed)])).ToList()) is { } threads)
            {
                notes.Add(threads);
            }
        }
        // A whole study in another precision is said once, a mixture run by run.
        var distinct = precisions.Values.Distinct().ToList();
        notes.InsertRange(0, distinct is [{ } every] ? new[] { $"Every run was {every}" }
            : precisions.Where(p => p.Value is not null).Select(p => $"\"{p.Key}\": {p.Value}"));
        notes.AddRange(second.Select(r => r.Run).Distinct().Where(r => first.All(f => f.Run != r))
            .Select(r => $"\"{r}\" is only in the second folder."));
        var pairs = first.Join(second, a => (a.Run, a.Seed), b => (b.Run, b.Seed), (a, b) => (A: value(a), B: value(b))).ToList();
        return new FolderComparison(runs, PairedTTest.Compute(pairs.Select(p => p.B).ToList(), pairs.Select(p => p.A).ToList()), notes);
    }

    /// <summary>The comparison as a Markdown table (differences in points for accuracies) followed by its notes.</summary>
    public string ToMarkdown(string firstName, string secondName, string metric)
    {
        var scale = metric.Contains("accuracy", StringComparison.Ordinal) ? 100 : 1;
        var unit = scale == 100 ? " (points)" : "";
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"| run | {firstName} | {secondName} | {secondName} - {firstName}{unit} | 95% CI | paired p | pairs |\n");
        text.Append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        foreach (var run in Runs)
        {
            Row(text, run.Run, $"{StudyReport.MeanStd(run.First)} ({run.First.Count})",
                $"{StudyReport.MeanStd(run.Second)} ({run.Second.Count})", run.Test, scale);
        }
        Row(text, "all runs, pooled", "", "", Pooled, scale);
        foreach (var note in Notes)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n{note}");
        }
        return text.Append('\n').ToString();
    }

    private static void Row(StringBuilder text, string run, string first, string second, PairedTTest test, int scale)
    {
        var (low, high) = test.ConfidenceInterval();
        var interval = test.Pairs >= 2 && double.IsFinite(low)
            ? string.Create(CultureInfo.InvariantCulture, $"[{scale * low:+0.00;-0.00}, {scale * high:+0.00;-0.00}]")
            : "-";
        var p = double.IsFinite(test.PValue) ? test.PValue.ToString("F3", CultureInfo.InvariantCulture) : "-";
        var mean = test.Pairs >= 1 ? (scale * test.MeanDifference).ToString("+0.00;-0.00", CultureInfo.InvariantCulture) : "-";
        text.Append(CultureInfo.InvariantCulture, $"| {run} | {first} | {second} | {mean} | {interval} | {p} | {test.Pairs} |\n");
    }

    private static string? PrecisionNote(IReadOnlyList<(RunResult A, RunResult B)> pairs)
    {
        var precision = pairs.Select(p => (A: p.A.Precision ?? "float32", B: p.B.Precision ?? "float32")).Distinct().ToList();
        return precision.All(p => p.A == p.B) ? null
            : $"computed in {string.Join(", ", precision.Select(p => p.A).Distinct())} in the first folder and " +
              $"{string.Join(", ", precision.Select(p => p.B).Distinct())} in the second.";
    }

    private static string? ThreadNote(string run, IReadOnlyList<(int Seed, string A, string B)> pairs)
    {
        var threads = pairs.Where(p => p.A != p.B).Select(p => $"seed {p.Seed}: {p.A} and {p.B}").ToList();
        return threads.Count == 0 ? null
            : $"\"{run}\": intra-op threads differ ({string.Join("; ", threads)}), so the arithmetic differs too.";
    }

    private static Func<RunResult, double> Metric(string metric) => metric switch
    {
        "test_accuracy" => r => r.TestAccuracy,
        "test_loss" => r => r.TestLoss,
        "val_accuracy" => r => r.FinalValAccuracy,
        "best_val_accuracy" => r => r.BestValAccuracy,
        "seconds_per_epoch" => r => r.SecondsPerEpoch,
        _ => throw new ArgumentException($"Unknown metric `{metric}`; use test_accuracy, test_loss, val_accuracy, best_val_accuracy " +
            "or seconds_per_epoch.", nameof(metric)),
    };
}

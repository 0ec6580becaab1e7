using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CnnLab.Formats;
using CnnLab.Models;
using CnnLab.Training;

namespace CnnLab.Studies.Experiments;

/// <summary>
/// A study's results folder as data with a schema, in one place: the name of every file in it, and the one writer and
/// one reader of a run-seed's results. A finished run-seed is its <see cref="Metrics"/> file, a <see cref="RunResult"/>
/// that holds everything the report, <c>--list</c> and <c>--resume</c> need (metrics, curves, the confusion matrix, the
/// predicted classes); the CSV and JSON files written beside it are exports for users and nothing reads them back,
/// except <see cref="ReadMetrics"/> taking the predictions of a folder finished before they were recorded.
/// </summary>
public static class ResultsFolder
{
    /// <summary>The resolved study the results belong to (the study file with the command line's overrides).</summary>
    public const string StudyRecord = "study.json";

    /// <summary>A copy of the study file, as given.</summary>
    public const string StudyCopy = "study.yaml";

    /// <summary>The report in Markdown, its charts beside it in <see cref="Charts"/>.</summary>
    public const string ReportMarkdown = "report.md";

    /// <summary>The report as one self-contained HTML file, its charts inline.</summary>
    public const string ReportHtml = "report.html";

    /// <summary>The report's PNG charts, which report.md links to.</summary>
    public const string Charts = "charts";

    /// <summary>A finished run-seed's <see cref="RunResult"/>, written last: its presence marks the run-seed finished.</summary>
    public const string Metrics = "metrics.json";

    /// <summary>The trained model (architecture and weights; <see cref="KerasModel.Load"/> reads it).</summary>
    public const string Model = "model.safetensors";

    /// <summary>Where and when the run-seed ran (<see cref="TaskRecord"/>), written as it finishes, for the report's provenance.</summary>
    public const string Task = "task.json";

    /// <summary>When the run-seed first started, kept across restarts, until <see cref="Task"/> records it.</summary>
    public const string Started = "started.txt";

    /// <summary>The run-seed's lock, held by the process that trains it (<see cref="RunLock"/>), and who holds it.</summary>
    public const string Lock = "run.lock";

    /// <summary>Who holds <see cref="Lock"/>, as its holder wrote it.</summary>
    public const string LockOwner = "run.lock.owner";

    /// <summary>While a run-seed trains: its state after the last completed epoch, deleted once it has finished.</summary>
    public const string Checkpoint = "checkpoint";

    /// <summary>Export: every per-epoch value of the history (with the learning rate) and the epoch's seconds, one row per epoch.</summary>
    public const string HistoryCsv = "history.csv";

    /// <summary>Export: the same history as Keras' <c>history.history</c>, one list per metric, and the epoch seconds.</summary>
    public const string HistoryJson = "history.json";

    /// <summary>A run-seed's epochs as they finish, one JSON line each (<see cref="EpochLog"/>).</summary>
    public const string EpochLog = "epochs.jsonl";

    /// <summary>Export: the class predicted for each test image, in the test split's order.</summary>
    public const string PredictionsCsv = "predictions.csv";

    /// <summary>Export: the test set's confusion matrix (rows: true class, columns: predicted).</summary>
    public const string ConfusionCsv = "confusion.csv";

    // A run without validation has NaN validation metrics; JSON keeps them as "NaN" rather than failing.
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Folder of one run and seed in the results folder <paramref name="folder"/>: the run name's slug, then the seed.</summary>
    public static string RunFolder(string folder, string run, int seed) => Path.Combine(folder, Slug(run), $"seed-{seed}");

    /// <summary>A file-system-safe, lower-case name: letters and digits joined by single dashes.</summary>
    public static string Slug(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var slug = new StringBuilder();
        foreach (var c in name.ToLowerInvariant())
        {
            slug.Append(char.IsLetterOrDigit(c) ? c : '-');
        }
        return string.Join("-", slug.ToString().Split('-', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>Whether the run-seed in <paramref name="runFolder"/> has finished (its metrics are written).</summary>
    public static bool IsFinished(string runFolder) => File.Exists(Path.Combine(runFolder, Metrics));

    /// <summary>
    /// Writes a run-seed that just finished: the exports, the model, its <see cref="TaskRecord"/>, and the metrics last,
    /// each atomically, so that a process killed on the way leaves a run-seed that is not finished rather than half of one.
    /// </summary>
    public static void WriteRun(string runFolder, RunResult result, History history, KerasModel model, double trainingSeconds)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(model);
        AtomicFile.WriteText(Path.Combine(runFolder, HistoryCsv), HistoryTable(history));
        var keras = history.Values.ToDictionary(kv => kv.Key, kv => kv.Value);
        keras["seconds"] = history.EpochSeconds.ToList();
        AtomicFile.WriteText(Path.Combine(runFolder, HistoryJson), JsonSerializer.Serialize(keras, Json));
        if (result.Predicted is { } predicted)
        {
            AtomicFile.WriteText(Path.Combine(runFolder, PredictionsCsv), "predicted\n" + string.Join("\n", predicted) + "\n");
        }
        AtomicFile.WriteText(Path.Combine(runFolder, ConfusionCsv),
            string.Join("\n", result.Confusion.Select(row => string.Join(",", row))) + "\n");
        model.Save(Path.Combine(runFolder, Model));
        TaskRecord.WriteFinished(runFolder, result.Run, result.Seed, trainingSeconds);
        AtomicFile.WriteText(Path.Combine(runFolder, Metrics), JsonSerializer.Serialize(result, Json));
    }

    /// <summary>The results of every finished task of <paramref name="study"/> in <paramref name="folder"/>, in task order.</summary>
    public static IReadOnlyList<RunResult> ReadFinished(StudyDefinition study, string folder) =>
        TaskStatus.Read(study, folder).Where(s => s.State == TaskState.Finished)
            .Select(s => ReadMetrics(Path.Combine(RunFolder(folder, s.Task.Run.Name, s.Task.Seed), Metrics)))
            .ToList();

    /// <summary>
    /// A finished run-seed's metrics file; a damaged one is an error naming it and what is wrong, not a parser's stack
    /// trace or a failure much later in the report. A file written before the predictions were recorded in it takes
    /// them from the predictions.csv beside it: the one place an export is read, for folders of older versions.
    /// </summary>
    public static RunResult ReadMetrics(string path)
    {
        RunResult result;
        try
        {
            result = JsonSerializer.Deserialize<RunResult>(File.ReadAllText(path), Json)
                     ?? throw new InvalidDataException($"{path} holds null instead of a run's metrics. Delete it to train that run again.");
        }
        catch (JsonException e)
        {
            throw Damaged(path, e.Message);
        }
        // The deserializer leaves a missing list null; the report would fail on it much later, without the file's name.
        var missing = new (string Key, object? Value)[]
        {
            ("Run", result.Run), ("Accuracy", result.Accuracy), ("ValAccuracy", result.ValAccuracy), ("Loss", result.Loss),
            ("ValLoss", result.ValLoss), ("Confusion", result.Confusion),
        }.FirstOrDefault(f => f.Value is null || (f.Value is long[][] rows && rows.Any(r => r is null))).Key;
        if (missing is not null)
        {
            throw Damaged(path, $"\"{missing}\" is missing or null");
        }
        var predicted = result.Predicted ?? LegacyPredictions(Path.Combine(Path.GetDirectoryName(path) ?? ".", PredictionsCsv));
        var tested = result.Confusion.Sum(row => row.Sum());
        var classes = result.Confusion.Length;
        if (predicted is not null && (predicted.Length != tested || predicted.Any(p => p < 0 || p >= classes)))
        {
            if (result.Predicted is null)
            {
                // A damaged export of an old folder costs the report its misclassified images, not the whole report.
                return result;
            }
            throw Damaged(path, $"\"Predicted\" does not hold {tested} classes in [0, {classes}), one per test image of \"Confusion\"");
        }
        return result with { Predicted = predicted };
    }

    private static InvalidDataException Damaged(string path, string what) =>
        new($"{path} is not a valid metrics file ({what}). Delete it to train that run again with `resume`.");

    // predictions.csv as CnnLab wrote it before metrics.json held the predictions: a header, then one class per line.
    private static long[]? LegacyPredictions(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        var predicted = new List<long>();
        foreach (var line in File.ReadLines(path).Skip(1).Where(l => l.Length > 0))
        {
            if (!long.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return null;
            }
            predicted.Add(value);
        }
        return predicted.ToArray();
    }

    private static string HistoryTable(History history)
    {
        var names = history.Values.Keys.ToList();
        var text = new StringBuilder("epoch," + string.Join(",", names) + ",seconds\n");
        for (var e = 0; e < history.Epochs; e++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{e + 1}");
            foreach (var name in names)
            {
                text.Append(CultureInfo.InvariantCulture, $",{history.Values[name][e]:R}");
            }
            text.Append(CultureInfo.InvariantCulture, $",{history.EpochSeconds[e]:F3}\n");
        }
        return text.ToString();
    }
}

using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using CnnLab.Engine;
using CnnLab.Formats;
using CnnLab.Studies.Reporting;

namespace CnnLab.Studies.Experiments;

/// <summary>
/// Where and when a task ran, beside its metrics (task.json): the machine, the thread count, the software versions
/// (CnnLab with the commit it was built from, TorchSharp, libtorch), the first start (kept across restarts), the
/// finish and the training time summed over epochs. The report's provenance and elapsed-time lines come from these.
/// </summary>
public sealed record TaskRecord(
    string Run,
    int Seed,
    string Host,
    int Threads,
    string CnnLab,
    string TorchSharp,
    string LibTorch,
    DateTime Started,
    DateTime Finished,
    double TrainingSeconds)
{
    /// <summary>The file name in a run-seed's folder.</summary>
    public const string FileName = ResultsFolder.Task;

    private const string StartedFile = ResultsFolder.Started;
    private static readonly JsonSerializerOptions Json =
        new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Notes the first start of a task in its folder; a restarted task keeps the first one.</summary>
    public static void MarkStarted(string runFolder)
    {
        var path = Path.Combine(runFolder, StartedFile);
        if (!File.Exists(path))
        {
            AtomicFile.WriteText(path, DateTime.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Writes task.json for a task that just finished.</summary>
    public static TaskRecord WriteFinished(string runFolder, string run, int seed, double trainingSeconds)
    {
        var started = ReadStarted(runFolder) ?? DateTime.UtcNow;
        var record = new TaskRecord(run, seed, Environment.MachineName, TorchEngine.Threads ?? 0, CnnLabVersion,
            typeof(global::TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "unknown", global::TorchSharp.torch.__version__,
            started, DateTime.UtcNow, trainingSeconds);
        AtomicFile.WriteText(Path.Combine(runFolder, FileName), JsonSerializer.Serialize(record, Json));
        return record;
    }

    /// <summary>The longest training a record may claim: a year. A shared folder's files are input, and sums of claims
    /// such as 1e300 seconds overflowed the report's durations.</summary>
    public const double MaxTrainingSeconds = 365.0 * 24 * 3600;

    /// <summary>
    /// A finished task's record, or null when it has none (finished by an older CnnLab) or it cannot be read or claims
    /// what no training does (a negative, non-finite or over-a-year training time, a finish before its start).
    /// </summary>
    public static TaskRecord? Read(string runFolder)
    {
        var path = Path.Combine(runFolder, FileName);
        try
        {
            var record = File.Exists(path) ? JsonSerializer.Deserialize<TaskRecord>(File.ReadAllText(path), Json) : null;
            return record is { TrainingSeconds: >= 0 and <= MaxTrainingSeconds } && record.Finished >= record.Started ? record : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>CnnLab's version with the commit it was built from, when the build knew it ("0.1.0+3f2a1c9").</summary>
    public static string CnnLabVersion { get; } =
        typeof(TaskRecord).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    private static DateTime? ReadStarted(string runFolder)
    {
        var path = Path.Combine(runFolder, StartedFile);
        return File.Exists(path) && DateTime.TryParse(File.ReadAllText(path).Trim(), System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.RoundtripKind, out var started) ? started : null;
    }
}

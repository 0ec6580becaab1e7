using System.Globalization;

namespace CnnLab.Studies.Experiments;

/// <summary>
/// A task's row in <c>study status</c> and the dashboard: its state, the epochs its log holds, an ETA from their
/// seconds, where and with how many threads it runs, its latest validation accuracy; read from the folder alone.
/// </summary>
public sealed record TaskProgress(TaskStatus Status, IReadOnlyList<EpochEntry>? Epochs, string? Host, int? Threads)
{
    /// <summary>Whether the task's epoch log could not be read (shown as "unreadable", never an error for the table).</summary>
    public bool Unreadable => Epochs is null;

    /// <summary>The epochs done: the log's, or the finished run's, or the checkpoint's.</summary>
    public int EpochsDone => Status.State == TaskState.Finished ? Status.Task.Run.Training.Epochs
        : Math.Max(Status.CompletedEpochs, Epochs?.Count ?? 0);

    /// <summary>Time left for a task in progress: the epochs left times the mean of the logged ones; null otherwise.</summary>
    public TimeSpan? Eta => Status.State == TaskState.InProgress && Epochs is { Count: > 0 } logged
        ? TimeSpan.FromSeconds(logged.Average(e => e.Seconds) * Math.Max(0, Status.Task.Run.Training.Epochs - EpochsDone))
        : null;

    /// <summary>The last logged validation accuracy (or training accuracy without validation); a finished run's test accuracy.</summary>
    public double? LastAccuracy => TestAccuracy ?? (Epochs is { Count: > 0 } logged
        ? logged[^1].Metrics.TryGetValue("val_accuracy", out var v) ? v : logged[^1].Metrics.GetValueOrDefault("accuracy", double.NaN)
        : null);

    /// <summary>A finished run's test accuracy, from its metrics.</summary>
    public double? TestAccuracy { get; init; }

    /// <summary>Every task of <paramref name="study"/> in <paramref name="folder"/>, in index order.</summary>
    public static IReadOnlyList<TaskProgress> Read(StudyDefinition study, string folder) =>
        TaskStatus.Read(study, folder).Select(status =>
        {
            var runFolder = ResultsFolder.RunFolder(folder, status.Task.Run.Name, status.Task.Seed);
            var epochs = EpochLog.Read(runFolder);
            var record = status.State == TaskState.Finished ? TaskRecord.Read(runFolder) : null;
            // "process 4591 on vm since ...": the host of a live holder.
            var host = status.Holder is { } holder && holder.Split(" on ") is { Length: 2 } parts ? parts[1].Split(' ')[0] : record?.Host;
            double? test = null;
            if (status.State == TaskState.Finished)
            {
                try
                {
                    test = ResultsFolder.ReadMetrics(Path.Combine(runFolder, ResultsFolder.Metrics)).TestAccuracy;
                }
                catch (InvalidDataException)
                {
                    epochs = null;   // damaged metrics: the row says unreadable
                }
            }
            return new TaskProgress(status, epochs, host, record?.Threads ?? epochs?.LastOrDefault()?.Threads) { TestAccuracy = test };
        }).ToList();

    /// <summary>The table as <c>cnnlab study status</c> prints it.</summary>
    public static string Table(IReadOnlyList<TaskProgress> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var width = Math.Max(3, tasks.Count == 0 ? 0 : tasks.Max(t => t.Status.Task.Run.Name.Length));
        var text = new System.Text.StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"{"task",4}  {"run".PadRight(width)}  {"seed",4}  {"status",-11}  {"epoch",7}  {"ETA",8}  {"host",-12}  " +
            $"{"threads",7}  accuracy\n");
        foreach (var t in tasks)
        {
            var state = t.Unreadable ? "unreadable" : t.Status.State switch
            {
                TaskState.Finished => "finished",
                TaskState.InProgress => "running",
                TaskState.Interrupted => "interrupted",
                _ => "waiting",
            };
            var epoch = $"{t.EpochsDone}/{t.Status.Task.Run.Training.Epochs}";
            var eta = t.Eta is { } e ? e.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture) : "-";
            var accuracy = t.LastAccuracy is { } a && double.IsFinite(a) ? a.ToString("F4", CultureInfo.InvariantCulture) : "-";
            text.Append(CultureInfo.InvariantCulture,
                $"{t.Status.Task.Index,4}  {t.Status.Task.Run.Name.PadRight(width)}  {t.Status.Task.Seed,4}  {state,-11}  " +
                $"{epoch,7}  {eta,8}  " +
                $"{t.Host ?? "-",-12}  {(t.Threads?.ToString(CultureInfo.InvariantCulture) ?? "-"),7}  {accuracy}");
            text.Append(t.TestAccuracy is null ? "\n" : " (test)\n");
        }
        return text.ToString();
    }
}

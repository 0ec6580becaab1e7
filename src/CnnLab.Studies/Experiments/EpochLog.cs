using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CnnLab.Training;

namespace CnnLab.Studies.Experiments;

/// <summary>One epoch as the epoch log recorded it: its number (from 1), its metrics and its seconds.</summary>
public sealed record EpochEntry(int Epoch, IReadOnlyDictionary<string, double> Metrics, double Seconds)
{
    /// <summary>The intra-op threads the epoch ran with, where recorded.</summary>
    public int? Threads { get; init; }
}

/// <summary>
/// A run-seed's epochs as they finish, one JSON line each in <see cref="ResultsFolder.EpochLog"/>, appended at each
/// epoch's end: what <c>study status</c> and a dashboard read while a study runs, without touching the checkpoint or
/// any lock. A run resumed from its checkpoint may write an epoch again; the reader keeps the last line of each epoch.
/// Written by the callbacks a study or search already has (not a callback of its own: a checkpoint counts callbacks,
/// and one more would refuse to resume a run interrupted before this log existed).
/// </summary>
public static class EpochLog
{
    /// <summary>The most lines read (a run of 100,000 epochs).</summary>
    public const int MaxLines = 100_000;

    // JSON lines are read by jq and Python as well: Encoding.UTF8 would start a new file with a byte order mark.
    private static readonly UTF8Encoding NoByteOrderMark = new(encoderShouldEmitUTF8Identifier: false);

    private static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Appends epoch <paramref name="epoch"/> (from 0) to <paramref name="runFolder"/>'s log.</summary>
    public static void Append(string runFolder, TrainingContext context, int epoch, IReadOnlyDictionary<string, double> logs)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(logs);
        var line = new JsonObject
        {
            ["epoch"] = epoch + 1,
            ["epochs"] = context.Epochs,
            ["seconds"] = context.EpochSeconds,
            ["threads"] = Engine.TorchEngine.Threads,
            ["utc"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["metrics"] = JsonSerializer.SerializeToNode(logs, Json),
        };
        // One write of one line with O_APPEND: a reader sees whole lines, or a last line still being written.
        File.AppendAllText(Path.Combine(runFolder, ResultsFolder.EpochLog), line.ToJsonString(Json) + "\n", NoByteOrderMark);
    }

    /// <summary>
    /// The epochs logged in <paramref name="folder"/>, by epoch; null when the log is unreadable (not JSON lines, too
    /// long): the caller shows the run as unreadable. A last line without its newline is still being written: skipped.
    /// </summary>
    public static IReadOnlyList<EpochEntry>? Read(string folder)
    {
        var path = Path.Combine(folder, ResultsFolder.EpochLog);
        if (!File.Exists(path))
        {
            return Array.Empty<EpochEntry>();
        }
        try
        {
            var text = File.ReadAllText(path);
            var lines = text.Split('\n');
            if (lines.Length > MaxLines + 1)
            {
                return null;
            }
            var epochs = new SortedDictionary<int, EpochEntry>();
            foreach (var line in lines.Take(lines.Length - 1))
            {
                var entry = JsonNode.Parse(line, documentOptions: new JsonDocumentOptions { MaxDepth = 8 })!.AsObject();
                var epoch = entry["epoch"]!.GetValue<int>();
                var metrics = entry["metrics"]!.AsObject().ToDictionary(m => m.Key, m => m.Value is JsonValue v
                    && v.TryGetValue<double>(out var d) ? d : double.NaN);
                epochs[epoch] = new EpochEntry(epoch, metrics, entry["seconds"]!.GetValue<double>())
                {
                    Threads = entry["threads"] is JsonValue t && t.TryGetValue<int>(out var threads) ? threads : null,
                };
            }
            return epochs.Values.ToList();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or NullReferenceException
                                       or IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }
}

using System.Globalization;
using System.Text.Json.Nodes;

namespace CnnLab.Studies.Search;

/// <summary>
/// A search's wall time over all its invocations: each worker process appends when it started and when it last
/// finished a rung to a file beside the journal (the journal itself holds no clock times, so that its replay is exact).
/// The search's wall time is the time during which at least one worker was running: the union of every worker's
/// span, so the gaps between invocations (a killed search resumed the next day, a Slurm array waiting in the queue)
/// are not counted, and workers running side by side are counted once. A worker killed mid-rung loses the time
/// since its last rung, as its training does.
/// </summary>
public sealed class SearchClock
{
    /// <summary>The clock's file name in a search's results folder.</summary>
    public const string FileName = "search-clock.jsonl";

    private readonly SearchJournal _file;
    private readonly string _worker = Guid.NewGuid().ToString("N");

    /// <summary>Opens (creates on first append) the clock of the search in <paramref name="folder"/>.</summary>
    public SearchClock(string folder) => _file = new SearchJournal(folder, FileName);

    /// <summary>The clock file.</summary>
    public string Path => _file.Path;

    /// <summary>Records that this worker starts now.</summary>
    public void Started() => Append("start");

    /// <summary>Records that this worker is still running now (after each rung it trains, and when it stops).</summary>
    public void Running() => Append("running");

    private void Append(string type) => _file.Append(new JsonObject
    {
        ["type"] = type, ["worker"] = _worker, ["at"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
    });

    /// <summary>
    /// The search's wall time and the number of worker processes that ran it, or null when no worker recorded a clock
    /// (a folder from before this file). A record that is not one this class writes is refused naming its line.
    /// </summary>
    public (TimeSpan WallTime, int Workers)? Read() => File.Exists(Path) ? Measure(_file.Read(), Path) : null;

    /// <summary>
    /// The wall time and worker count that clock records give; <paramref name="source"/> names the file in errors.
    /// </summary>
    public static (TimeSpan WallTime, int Workers) Measure(IReadOnlyList<JsonObject> records, string source)
    {
        ArgumentNullException.ThrowIfNull(records);
        var spans = new Dictionary<string, (DateTime Start, DateTime Last)>(StringComparer.Ordinal);
        for (var line = 1; line <= records.Count; line++)
        {
            var record = records[line - 1];
            var worker = record["worker"] is JsonValue w && w.TryGetValue<string>(out var id) ? id : null;
            var at = record["at"] is JsonValue a && a.TryGetValue<string>(out var text) && DateTime.TryParseExact(text, "O",
                CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time) ? time.ToUniversalTime() : (DateTime?)null;
            var type = record["type"] is JsonValue t && t.TryGetValue<string>(out var name) ? name : null;
            if (worker is null || at is not { } moment || type is not ("start" or "running"))
            {
                throw new SearchJournalException($"{source}, line {line}: expected {{\"type\": \"start\" or \"running\", " +
                    $"\"worker\": ID, \"at\": ISO 8601 time}}, got {Shorten(record.ToJsonString())}. The file is written only by " +
                    "cnnlab; delete it to write the report without the wall time.");
            }
            spans[worker] = spans.TryGetValue(worker, out var span) ? (Min(span.Start, moment), Max(span.Last, moment)) : (moment, moment);
        }
        return (Union(spans.Values), spans.Count);
    }

    /// <summary>The length of the union of the spans: overlapping workers counted once, gaps between them not at all.</summary>
    public static TimeSpan Union(IEnumerable<(DateTime Start, DateTime Last)> spans)
    {
        ArgumentNullException.ThrowIfNull(spans);
        var total = TimeSpan.Zero;
        DateTime? openStart = null;
        var openEnd = DateTime.MinValue;
        foreach (var (start, last) in spans.OrderBy(s => s.Start))
        {
            if (openStart is not null && start <= openEnd)
            {
                openEnd = Max(openEnd, last);
                continue;
            }
            if (openStart is { } closed)
            {
                total += openEnd - closed;
            }
            (openStart, openEnd) = (start, last);
        }
        return openStart is { } final ? total + (openEnd - final) : total;
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

    private static string Shorten(string text) => text.Length <= 120 ? text : text[..120] + "...";
}

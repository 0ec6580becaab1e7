using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CnnLab.Studies.Search;

/// <summary>
/// A search's journal: one JSON object per line, only ever appended, in the shared results folder. Every worker
/// appends under the operating system's exclusive lock on the file (flock on Linux and macOS, which Linux maps to NFS
/// byte-range locks, so workers on several machines exclude each other as studies' run locks do), and reads the whole
/// file under the same lock before it decides: a decision is computed from, and written right after, every record
/// before it. No server and no database: a search is this file and the run folders beside it.
/// </summary>
public sealed class SearchJournal
{
    /// <summary>The journal's file name in a search's results folder.</summary>
    public const string FileName = "search-journal.jsonl";

    /// <summary>The largest journal read: 256 MiB (a million trials' records are about 200 MB).</summary>
    public const long MaxBytes = 256L << 20;

    /// <summary>The longest line read: 1 MiB.</summary>
    public const int MaxLineBytes = 1 << 20;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 32 };

    /// <summary>
    /// Opens (creates on first append) the journal in <paramref name="folder"/>, or another file of lines kept the same
    /// way (<see cref="SearchClock"/>'s).
    /// </summary>
    public SearchJournal(string folder, string fileName = FileName)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        Path = System.IO.Path.Combine(folder, fileName);
    }

    /// <summary>The journal file.</summary>
    public string Path { get; }

    /// <summary>How long <see cref="Transact"/> waits for another worker's lock before it gives up.</summary>
    public static TimeSpan LockTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Reads the records as they are now, waiting out a worker's append (reports, workers before training).</summary>
    public IReadOnlyList<JsonObject> Read()
    {
        if (!File.Exists(Path))
        {
            return Array.Empty<JsonObject>();
        }
        // .NET takes a shared flock for reading, so a worker's exclusive lock makes the open fail for the instant it is held.
        var deadline = DateTime.UtcNow + LockTimeout;
        while (true)
        {
            try
            {
                using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                return Parse(stream, Path);
            }
            catch (IOException) when (File.Exists(Path) && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(5);
            }
        }
    }

    /// <summary>
    /// Under the exclusive lock: reads every record, asks <paramref name="decide"/> what to append given them, appends
    /// those records, and returns them. A worker killed while it appends leaves at most a torn last line, which the
    /// next reader drops (it was never acted on: its writer died before it returned).
    /// </summary>
    public IReadOnlyList<JsonObject> Transact(Func<IReadOnlyList<JsonObject>, IReadOnlyList<JsonObject>> decide)
    {
        ArgumentNullException.ThrowIfNull(decide);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        using var stream = Lock();
        var records = Parse(stream, Path, out var validLength);
        var appended = decide(records);
        if (appended.Count == 0)
        {
            return appended;
        }
        // A torn line from a killed writer is cut off before the new records, so it cannot glue onto them.
        stream.SetLength(validLength);
        stream.Seek(validLength, SeekOrigin.Begin);
        var text = new StringBuilder();
        foreach (var record in appended)
        {
            text.Append(record.ToJsonString()).Append('\n');
        }
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
        return appended;
    }

    /// <summary>Appends records under the lock.</summary>
    public void Append(params JsonObject[] records) => Transact(_ => records);

    /// <summary>Reads records from a stream; <paramref name="source"/> names it in errors.</summary>
    public static IReadOnlyList<JsonObject> Parse(Stream stream, string source) => Parse(stream, source, out _);

    private static List<JsonObject> Parse(Stream stream, string source, out long validLength)
    {
        if (stream.Length > MaxBytes)
        {
            throw new SearchJournalException($"{source}: the journal has {stream.Length:N0} bytes, more than the {MaxBytes:N0} read; " +
                "it was not written by one search (start a new search folder).");
        }
        stream.Seek(0, SeekOrigin.Begin);
        var content = new byte[stream.Length];
        stream.ReadExactly(content);
        var records = new List<JsonObject>();
        var start = 0;
        var line = 0;
        validLength = 0;
        while (start < content.Length)
        {
            line++;
            var end = Array.IndexOf(content, (byte)'\n', start);
            if (end < 0)
            {
                // The last line without its newline: a writer died mid-append. Never acted on, so dropped.
                break;
            }
            if (end - start > MaxLineBytes)
            {
                throw new SearchJournalException($"{source}, line {line}: {end - start:N0} bytes, more than the {MaxLineBytes:N0} a " +
                    "record may have.");
            }
            JsonObject record;
            try
            {
                record = JsonNode.Parse(content.AsSpan(start, end - start), documentOptions: Options) as JsonObject
                    ?? throw new SearchJournalException($"{source}, line {line}: a record must be a JSON object.");
            }
            catch (JsonException e)
            {
                throw new SearchJournalException($"{source}, line {line}: not a JSON record ({e.Message.Split('.')[0]}). The journal " +
                    "is written only by cnnlab; restore it from a copy or start a new search folder.");
            }
            records.Add(record);
            start = end + 1;
            validLength = start;
        }
        return records;
    }

    private FileStream Lock()
    {
        var deadline = DateTime.UtcNow + LockTimeout;
        var wait = TimeSpan.FromMilliseconds(5);
        while (true)
        {
            try
            {
                return new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (File.Exists(Path) && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(wait);
                wait = TimeSpan.FromMilliseconds(Math.Min(wait.TotalMilliseconds * 2, 200));
            }
            catch (IOException e) when (File.Exists(Path))
            {
                throw new SearchJournalException(
                    $"{Path}: another worker held the journal's lock for more than {LockTimeout.TotalSeconds:0} " +
                    $"s ({e.Message}); a worker holds it only while it decides, so check for a hung process or a broken NFS lock daemon.");
            }
        }
    }
}

/// <summary>A journal that cannot be read: the message names the file, the line and what is wrong.</summary>
public sealed class SearchJournalException(string message) : Exception(message);

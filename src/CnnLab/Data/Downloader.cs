using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace CnnLab.Data;

/// <summary>
/// Fetches a published file over HTTPS into a folder: streamed into a temporary file beside the target
/// while its MD5 is computed, then moved into place only if the checksum matches, so an interrupted or
/// corrupt download never looks like a finished one. Mirrors are tried in order.
/// </summary>
public sealed class Downloader
{
    private readonly HttpClient _client;
    private readonly TextWriter _progress;
    private readonly bool _interactive;

    /// <summary>Creates a downloader; tests pass their own handler, the CLI the default one.</summary>
    public Downloader(HttpMessageHandler? handler = null, TextWriter? progress = null, bool? interactive = null)
    {
        _client = new HttpClient(handler
            ?? new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(15) }) { Timeout = TimeSpan.FromMinutes(30) };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd("CnnLab/1.0");
        _progress = progress ?? Console.Error;
        _interactive = interactive ?? !Console.IsErrorRedirected;
    }

    /// <summary>Downloads <paramref name="file"/> into <paramref name="folder"/> and
    /// returns its path; throws with every mirror's failure when none worked.</summary>
    public string Fetch(RemoteFile file, string folder)
    {
        Directory.CreateDirectory(folder);
        var target = Path.Combine(folder, file.FileName);
        var failures = new List<string>();
        foreach (var url in file.Urls)
        {
            var temporary = Path.Combine(folder, $".{file.FileName}.{Guid.NewGuid():N}.part");
            try
            {
                var md5 = Download(url, temporary, file.FileName);
                if (!string.Equals(md5, file.Md5, StringComparison.OrdinalIgnoreCase))
                {
                    failures.Add($"{url}: checksum mismatch: MD5 {md5}, expected {file.Md5}; the download was discarded");
                    continue;
                }
                if (File.Exists(target))
                {
                    // A file there failed its checksum; it may be the user's own copy, so it is kept, renamed.
                    var kept = $"{target}.replaced-{DateTime.UtcNow:yyyyMMddHHmmss}";
                    File.Move(target, kept);
                    _progress.WriteLine($"{target} failed its checksum: kept as {kept}, replaced by the verified download.");
                }
                File.Move(temporary, target);
                return target;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or UnauthorizedAccessException)
            {
                failures.Add($"{url}: {e.Message}");
            }
            finally
            {
                if (File.Exists(temporary))
                {
                    File.Delete(temporary);
                }
            }
        }
        throw new IOException($"Could not download {file.FileName}: " + string.Join("; ", failures) + ".");
    }

    /// <summary>The MD5 of a file on disk, lower-case hex.</summary>
    public static string Md5Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(MD5.HashData(stream));
    }

    private string Download(string url, string temporary, string name)
    {
        using var response = _client.Send(new HttpRequestMessage(HttpMethod.Get, url), HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        var total = response.Content.Headers.ContentLength;
        using var source = response.Content.ReadAsStream();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        using (var output = File.Create(temporary))
        {
            var buffer = new byte[1 << 16];
            long done = 0;
            var clock = Stopwatch.StartNew();
            var lastReport = TimeSpan.Zero;
            int read;
            while ((read = source.Read(buffer)) > 0)
            {
                output.Write(buffer, 0, read);
                hash.AppendData(buffer, 0, read);
                done += read;
                if (_interactive && clock.Elapsed - lastReport > TimeSpan.FromMilliseconds(250))
                {
                    lastReport = clock.Elapsed;
                    _progress.Write($"\r{Describe(name, done, total)}");
                }
            }
            output.Flush(flushToDisk: true);
            _progress.WriteLine((_interactive ? "\r" : "") + Describe(name, done, total) + " done");
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static string Describe(string name, long done, long? total) => total is long t && t > 0
        ? string.Create(CultureInfo.InvariantCulture,
            $"Downloading {name}: {done / 1048576.0:F1} / {t / 1048576.0:F1} MB ({100.0 * done / t:F0}%)")
        : string.Create(CultureInfo.InvariantCulture, $"Downloading {name}: {done / 1048576.0:F1} MB");
}

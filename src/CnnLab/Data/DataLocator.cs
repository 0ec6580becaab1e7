using System.Formats.Tar;
using System.IO.Compression;

namespace CnnLab.Data;

/// <summary>
/// Finds a known dataset's files, in this order: the folder the user named (`dataDir`); the user cache
/// ($CNNLAB_DATA/NAME, else ~/.cnnlab/datasets/NAME); well-known system folders (Debian's
/// /usr/share/datasets/...); then a download from the official mirrors into the cache. Checksums are the
/// publishers' and apply to what is downloaded and cached; a folder the user names, or a system package
/// that recompressed the files, is checked by its headers and counts instead.
/// </summary>
public sealed class DataLocator
{
    /// <summary>Environment variable that moves the cache.</summary>
    public const string CacheVariable = "CNNLAB_DATA";

    private readonly string? _dataDir;
    private readonly string _cacheRoot;
    private readonly Func<KnownDataset, IReadOnlyList<string>> _systemFolders;
    private readonly Downloader? _downloader;

    /// <summary>
    /// Creates a locator. <paramref name="cacheRoot"/> defaults to $CNNLAB_DATA or ~/.cnnlab/datasets;
    /// <paramref name="systemFolders"/> to each dataset's own list; a null <paramref name="downloader"/> means offline.
    /// </summary>
    public DataLocator(string? dataDir = null, string? cacheRoot = null, Downloader? downloader = null,
        Func<KnownDataset, IReadOnlyList<string>>? systemFolders = null)
    {
        _dataDir = dataDir;
        _cacheRoot = cacheRoot ?? DefaultCacheRoot();
        _downloader = downloader;
        _systemFolders = systemFolders ?? (d => d.SystemFolders);
    }

    /// <summary>$CNNLAB_DATA, else ~/.cnnlab/datasets.</summary>
    public static string DefaultCacheRoot() =>
        Environment.GetEnvironmentVariable(CacheVariable) is { Length: > 0 } root
            ? root
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cnnlab", "datasets");

    /// <summary>The folder that holds the dataset's files, and a sentence saying where it came from.</summary>
    public (string Folder, string Source) Locate(KnownDataset dataset)
    {
        var tried = new List<string>();
        if (_dataDir is not null)
        {
            var folder = FindFiles(dataset, _dataDir);
            if (folder is not null)
            {
                return (folder, $"`dataDir` {_dataDir}");
            }
            throw new FileNotFoundException(
                $"{dataset.Title} was not found in `dataDir` \"{_dataDir}\": " +
                (Directory.Exists(_dataDir) ? $"it lacks {Missing(dataset, _dataDir)}." : "the folder does not exist.") +
                $" Expected the files {string.Join(", ", dataset.RequiredFiles)}.");
        }

        var cache = Path.Combine(_cacheRoot, dataset.Name);
        var (cached, problem, toFetch) = VerifiedCache(dataset, cache);
        if (cached is not null)
        {
            return (cached, $"cache {cache}");
        }
        tried.Add($"the cache {cache}{problem}");

        foreach (var system in _systemFolders(dataset))
        {
            tried.Add(system);
            var folder = FindFiles(dataset, system);
            if (folder is not null)
            {
                return (folder, $"system folder {system}");
            }
        }

        if (_downloader is not null)
        {
            try
            {
                return (Download(dataset, cache, toFetch), $"downloaded into {cache}");
            }
            catch (IOException e)
            {
                tried.Add($"download: {e.Message}");
            }
        }
        else
        {
            tried.Add("download: disabled (offline)");
        }
        throw new FileNotFoundException(
            $"{dataset.Title} was not found. Tried: {string.Join("; ", tried).TrimEnd('.')}. To get it: {dataset.InstallHint}; " +
            $"or pass `dataDir` with a folder holding {string.Join(", ", dataset.RequiredFiles)}; " +
            $"or download {string.Join(", ", dataset.Files.Select(f => f.Urls[0]))} into {cache}.");
    }

    private static string? FindFiles(KnownDataset dataset, string folder)
    {
        if (!Directory.Exists(folder))
        {
            return null;
        }
        if (dataset.Format == DatasetFormat.Cifar10Binary)
        {
            return Cifar10Reader.FindFolder(folder);
        }
        return dataset.RequiredFiles.All(f => HasFile(folder, f))
            ? folder
            : null;
    }

    private static string Missing(KnownDataset dataset, string folder) => string.Join(", ", dataset.RequiredFiles
        .Where(f => !HasFile(folder, f)));

    /// <summary>The file, or its uncompressed twin for a .gz name (IDX files may be stored either way).</summary>
    private static bool HasFile(string folder, string name) =>
        File.Exists(Path.Combine(folder, name)) ||
        (name.EndsWith(".gz", StringComparison.Ordinal) && File.Exists(Path.Combine(folder, name[..^3])));

    /// <summary>
    /// The cache folder when every downloaded file is there with its published checksum, else null, what is wrong and
    /// the files a download must fetch.
    /// A file that fails is never deleted: $CNNLAB_DATA may be a folder the user filled (a rebuilt copy whose bytes
    /// differ), so it stays until a verified download replaces it, and even then it is kept beside (see Downloader).
    /// </summary>
    private static (string? Folder, string Problem, IReadOnlyList<RemoteFile> ToFetch) VerifiedCache(KnownDataset dataset, string cache)
    {
        if (!Directory.Exists(cache))
        {
            return (null, "", dataset.Files);
        }
        var problems = new List<string>();
        var toFetch = new List<RemoteFile>();
        foreach (var file in dataset.Files)
        {
            var path = Path.Combine(cache, file.FileName);
            if (!File.Exists(path))
            {
                problems.Add($"{file.FileName} is missing");
                toFetch.Add(file);
            }
            else if (Downloader.Md5Of(path) is var md5 && !string.Equals(md5, file.Md5, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{file.FileName} has MD5 {md5}, not the published {file.Md5} (left as it is; " +
                    $"pass `dataDir` to use a folder of other copies)");
                toFetch.Add(file);
            }
        }
        if (problems.Count > 0)
        {
            return (null, $" ({string.Join(", ", problems)})", toFetch);
        }
        return (dataset.Format == DatasetFormat.Cifar10Binary ? Unpacked(dataset, cache) : cache, "", []);
    }

    /// <summary>Fetches the files the cache lacks or holds with another checksum (as <see cref="VerifiedCache"/> found them).</summary>
    private string Download(KnownDataset dataset, string cache, IReadOnlyList<RemoteFile> toFetch)
    {
        foreach (var file in toFetch)
        {
            _downloader!.Fetch(file, cache);
        }
        return dataset.Format == DatasetFormat.Cifar10Binary ? Unpacked(dataset, cache) : cache;
    }

    /// <summary>Unpacks the CIFAR-10 archive once, into a temporary folder renamed into place when complete.</summary>
    private static string Unpacked(KnownDataset dataset, string cache)
    {
        var existing = Cifar10Reader.FindFolder(cache);
        if (existing is not null)
        {
            return existing;
        }
        var temporary = Path.Combine(cache, $".unpack-{Guid.NewGuid():N}");
        try
        {
            using (var archive = File.OpenRead(Path.Combine(cache, dataset.Files[0].FileName)))
            using (var gzip = new GZipStream(archive, CompressionMode.Decompress))
            {
                Directory.CreateDirectory(temporary);
                TarFile.ExtractToDirectory(gzip, temporary, overwriteFiles: true);
            }
            var unpacked = Cifar10Reader.FindFolder(temporary) ?? throw new InvalidDataException(
                $"{Path.Combine(cache, dataset.Files[0].FileName)} does not contain {string.Join(", ", Cifar10Reader.FileNames)}.");
            var final = Path.Combine(cache, "cifar-10-batches-bin");
            Directory.Move(unpacked, final);
            return final;
        }
        finally
        {
            if (Directory.Exists(temporary))
            {
                Directory.Delete(temporary, true);
            }
        }
    }
}

using CnnLab.Data;

namespace CnnLab.Tests.Data;

public sealed class DataLocatorTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cnnlab-locator-").FullName;
    private readonly Dictionary<string, byte[]> _files = Fixtures.IdxSet();

    public void Dispose() => Directory.Delete(_root, true);

    /// <summary>A dataset like MNIST whose files and checksums are the generated fixture's, served by two mirrors.</summary>
    private KnownDataset Tiny(params string[] mirrors) => new(
        "tiny", "Tiny", DatasetFormat.Idx, Enumerable.Range(0, 10).Select(i => i.ToString()).ToList(),
        _files.Select(f => new RemoteFile(f.Key, Fixtures.Md5(f.Value), mirrors.Select(m => m + f.Key).ToList())).ToList(),
        new[] { Path.Combine(_root, "system") }, "apt-get install tiny");

    private string Cache => Path.Combine(_root, "cache");

    [Fact]
    public void An_explicit_folder_comes_first()
    {
        var folder = Path.Combine(_root, "mine");
        Fixtures.WriteAll(folder, _files);
        Fixtures.WriteAll(Path.Combine(_root, "system"), _files);

        var (found, source) = new DataLocator(folder, Cache).Locate(Tiny("https://a/"));

        Assert.Equal(folder, found);
        Assert.Equal($"`dataDir` {folder}", source);
    }

    [Fact]
    public void An_explicit_folder_missing_files_is_an_error_naming_them()
    {
        var folder = Path.Combine(_root, "mine");
        Fixtures.WriteAll(folder, _files.Where(f => !f.Key.StartsWith("t10k-labels", StringComparison.Ordinal)).ToDictionary());

        var e = Assert.Throws<FileNotFoundException>(() => new DataLocator(folder, Cache).Locate(Tiny("https://a/")));

        Assert.Equal($"Tiny was not found in `dataDir` \"{folder}\": it lacks t10k-labels-idx1-ubyte.gz. Expected the files " +
                     "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz.",
                     e.Message);
    }

    [Fact]
    public void A_system_folder_is_used_when_the_cache_is_empty()
    {
        Fixtures.WriteAll(Path.Combine(_root, "system"), _files);

        var (found, source) = new DataLocator(cacheRoot: Cache).Locate(Tiny("https://a/"));

        Assert.Equal(Path.Combine(_root, "system"), found);
        Assert.StartsWith("system folder", source);
    }

    [Fact]
    public void Downloads_into_the_cache_verified_and_loads()
    {
        var server = new FakeServer(_files.ToDictionary(f => "https://a/" + f.Key, f => f.Value));
        var locator = new DataLocator(cacheRoot: Cache, downloader: new Downloader(server, TextWriter.Null, false));

        using var splits = KnownDatasetLoader.Load(Tiny("https://a/"), locator);

        Assert.Equal(6, splits.Train.Count);
        Assert.Equal(4, splits.Test.Count);
        Assert.Equal(4, server.Requests.Count);
        Assert.Equal(_files.Keys.Order(), Directory.GetFiles(Path.Combine(Cache, "tiny")).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void A_mirror_whose_file_fails_its_checksum_is_skipped_and_nothing_half_written_stays()
    {
        var served = _files.ToDictionary(f => "https://good/" + f.Key, f => f.Value);
        foreach (var (name, bytes) in _files)
        {
            served["https://bad/" + name] = bytes.Concat(new byte[] { 1 }).ToArray();
        }
        var server = new FakeServer(served);
        var locator = new DataLocator(cacheRoot: Cache, downloader: new Downloader(server, TextWriter.Null, false));

        var (found, _) = locator.Locate(Tiny("https://bad/", "https://good/"));

        Assert.Equal(8, server.Requests.Count);
        Assert.All(Directory.GetFiles(found), f => Assert.DoesNotContain(".part", f));
        Assert.Equal(4, Directory.GetFiles(found).Length);
    }

    [Fact]
    public void A_download_whose_checksum_fails_everywhere_is_an_error_and_leaves_no_file()
    {
        var served = _files.ToDictionary(f => "https://bad/" + f.Key, f => new byte[] { 1, 2, 3 });
        var locator = new DataLocator(cacheRoot: Cache, downloader: new Downloader(new FakeServer(served), TextWriter.Null, false));

        var e = Assert.Throws<FileNotFoundException>(() => locator.Locate(Tiny("https://bad/")));

        Assert.Contains($"https://bad/train-images-idx3-ubyte.gz: checksum mismatch: MD5 {Fixtures.Md5(new byte[] { 1, 2, 3 })}, " +
                        $"expected {Fixtures.Md5(_files["train-images-idx3-ubyte.gz"])}; the download was discarded", e.Message);
        Assert.Empty(Directory.Exists(Path.Combine(Cache, "tiny")) ? Directory.GetFiles(Path.Combine(Cache, "tiny"))
            : Array.Empty<string>());
    }

    [Fact]
    public void A_cached_file_that_fails_its_checksum_is_kept_aside_and_fetched_again()
    {
        var cacheFolder = Path.Combine(Cache, "tiny");
        Fixtures.WriteAll(cacheFolder, _files);
        File.WriteAllBytes(Path.Combine(cacheFolder, "train-labels-idx1-ubyte.gz"), new byte[] { 9, 9, 9 });
        var server = new FakeServer(_files.ToDictionary(f => "https://a/" + f.Key, f => f.Value));
        var locator = new DataLocator(cacheRoot: Cache, downloader: new Downloader(server, TextWriter.Null, false));

        var (found, source) = locator.Locate(Tiny("https://a/"));

        Assert.Equal(cacheFolder, found);
        Assert.Equal(new[] { "https://a/train-labels-idx1-ubyte.gz" }, server.Requests);
        Assert.Equal(Fixtures.Md5(_files["train-labels-idx1-ubyte.gz"]),
            Downloader.Md5Of(Path.Combine(cacheFolder, "train-labels-idx1-ubyte.gz")));
        Assert.StartsWith("downloaded into", source);
        var kept = Assert.Single(Directory.GetFiles(cacheFolder, "train-labels-idx1-ubyte.gz.replaced-*"));
        Assert.Equal(new byte[] { 9, 9, 9 }, File.ReadAllBytes(kept));
    }

    /// <summary>$CNNLAB_DATA may point at a folder of the user's own copies:
    /// one that fails a checksum is reported, never deleted.</summary>
    [Fact]
    public void Offline_a_cached_file_that_fails_its_checksum_is_named_and_left_as_it_is()
    {
        var cacheFolder = Path.Combine(Cache, "tiny");
        Fixtures.WriteAll(cacheFolder, _files);
        File.WriteAllBytes(Path.Combine(cacheFolder, "train-images-idx3-ubyte.gz"), new byte[] { 9, 9, 9 });

        var e = Assert.Throws<FileNotFoundException>(() => new DataLocator(cacheRoot: Cache).Locate(Tiny("https://a/")));

        Assert.StartsWith($"Tiny was not found. Tried: the cache {cacheFolder} (train-images-idx3-ubyte.gz has MD5 " +
                          $"{Fixtures.Md5(new byte[] { 9, 9, 9 })}, " +
                          $"not the published {Fixtures.Md5(_files["train-images-idx3-ubyte.gz"])} (left as it is; " +
                          $"pass `dataDir` to use a folder of other copies)); ", e.Message);
        Assert.Equal(new byte[] { 9, 9, 9 }, File.ReadAllBytes(Path.Combine(cacheFolder, "train-images-idx3-ubyte.gz")));
        Assert.Equal(4, Directory.GetFiles(cacheFolder).Length);
    }

    [Fact]
    public void Offline_with_nothing_found_lists_the_places_tried_and_how_to_get_the_data()
    {
        var e = Assert.Throws<FileNotFoundException>(() => new DataLocator(cacheRoot: Cache).Locate(Tiny("https://a/")));

        Assert.Equal($"Tiny was not found. Tried: the cache {Path.Combine(Cache, "tiny")}; {Path.Combine(_root, "system")}; download: " +
                     $"disabled (offline). " +
                     "To get it: apt-get install tiny; or pass `dataDir` with a folder holding train-images-idx3-ubyte.gz, " +
                     "train-labels-idx1-ubyte.gz, " +
                     "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz; or download https://a/train-images-idx3-ubyte.gz, " +
                     "https://a/train-labels-idx1-ubyte.gz, " +
                     $"https://a/t10k-images-idx3-ubyte.gz, https://a/t10k-labels-idx1-ubyte.gz into {Path.Combine(Cache, "tiny")}.",
                         e.Message);
    }

    [Fact]
    public void Failed_downloads_are_listed_with_their_reasons()
    {
        var locator = new DataLocator(cacheRoot: Cache, downloader: new Downloader(new FakeServer(new()), TextWriter.Null, false));

        var e = Assert.Throws<FileNotFoundException>(() => locator.Locate(Tiny("https://a/")));

        Assert.Contains("download: Could not download train-images-idx3-ubyte.gz: https://a/train-images-idx3-ubyte.gz: " +
            "HTTP 404 Not Found.", e.Message);
    }

    [Fact]
    public void The_catalog_has_the_published_MNIST_checksums()
    {
        Assert.Equal("f68b3c2dcbeaaa9fbdd348bbdeb94873", DatasetCatalog.Mnist.Files[0].Md5);
        Assert.All(DatasetCatalog.All.SelectMany(d => d.Files).SelectMany(f => f.Urls), u => Assert.StartsWith("https://", u));
    }
}

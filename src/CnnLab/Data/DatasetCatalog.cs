namespace CnnLab.Data;

/// <summary>The datasets known by name, with the checksums their publishers give (MD5 of the downloaded files).</summary>
public static class DatasetCatalog
{
    /// <summary>Fashion-MNIST (Zalando Research).</summary>
    public static readonly KnownDataset FashionMnist = new(
        "fashion-mnist", "Fashion-MNIST", DatasetFormat.Idx,
        new[] { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" },
        IdxFiles(
            new[] { "https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/",
                "https://fashion-mnist.s3-website.eu-central-1.amazonaws.com/" },
            "8d4fb7e6c68d591d4c3dfef9ec88bf0d", "25c81989df183df01b3e8a0aad5dffbe", "bef4ecab320f06d8554ea6380940ec79",
                "bb300cfdad3c16e7a12a480ee83cd310"),
        new[] { "/usr/share/datasets/fashion-mnist" },
        "on Debian, `apt-get update && apt-get install dataset-fashion-mnist` as root (with sudo otherwise)")
    {
        KerasName = "fashion_mnist",
    };

    /// <summary>MNIST handwritten digits (LeCun, Cortes, Burges).</summary>
    public static readonly KnownDataset Mnist = new(
        "mnist", "MNIST", DatasetFormat.Idx,
        new[] { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9" },
        IdxFiles(
            new[] { "https://ossci-datasets.s3.amazonaws.com/mnist/", "https://storage.googleapis.com/cvdf-datasets/mnist/" },
            "f68b3c2dcbeaaa9fbdd348bbdeb94873", "d53e105ee54ea40749a09fcbcd1e9432", "9fb629c4189551a2d022fa330f9573f3",
                "ec29112dd5afa0611ce80d1b7f02629c"),
        new[] { "/usr/share/datasets/mnist" },
        "run the command again with network access (CnnLab downloads and checks the files)")
    {
        KerasName = "mnist",
    };

    /// <summary>Kuzushiji-MNIST (ROIS-DS Center for Open Data in the Humanities).</summary>
    public static readonly KnownDataset Kmnist = new(
        "kmnist", "Kuzushiji-MNIST", DatasetFormat.Idx,
        new[] { "o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo" },
        IdxFiles(
            new[] { "https://codh.rois.ac.jp/kmnist/dataset/kmnist/" },
            "bdb82020997e1d708af4cf47b453dcf7", "e144d726b3acfaa3e44228e80efcd344", "5c965bf0a639b31b8f53240b1b52f4d7",
                "7320c461ea6c1c855c0b718fb2a4b134"),
        new[] { "/usr/share/datasets/kmnist" },
        "run the command again with network access (CnnLab downloads and checks the files)");

    /// <summary>CIFAR-10 (Krizhevsky), binary version: one archive that unpacks to six batch files.</summary>
    public static readonly KnownDataset Cifar10 = new(
        "cifar10", "CIFAR-10", DatasetFormat.Cifar10Binary,
        new[] { "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck" },
        new[] { new RemoteFile("cifar-10-binary.tar.gz", "c32a1d4ab5d03f1284b67883e8d87530",
            new[] { "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz" }) },
        new[] { "/usr/share/datasets/cifar10" },
        "download it with network access, or pass `dataDir` with a folder holding data_batch_1.bin ... test_batch.bin")
    {
        KerasName = "cifar10",
    };

    /// <summary>All of them.</summary>
    public static readonly IReadOnlyList<KnownDataset> All = new[] { FashionMnist, Mnist, Kmnist, Cifar10 };

    /// <summary>The names.</summary>
    public static IEnumerable<string> Names => All.Select(d => d.Name);

    /// <summary>The dataset of that name or of that Keras name (fashion_mnist), in any case, or null.</summary>
    public static KnownDataset? Find(string name) => All.FirstOrDefault(d =>
        string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase)
            || string.Equals(d.KerasName, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The known name a mistyped <paramref name="name"/> most likely meant, or null when none is close: at most a third of
    /// the name's letters (and at least 2) edited, or the start of a name ("fashion").
    /// </summary>
    public static string? Nearest(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var typed = name.ToLowerInvariant();
        return All
            .Select(d =>
                (d.Name, Distance: Math.Min(EditDistance.Between(typed, d.Name), EditDistance.Between(typed, d.KerasName ?? d.Name))))
            .Where(c => c.Distance <= Math.Max(2, c.Name.Length / 3)
                || typed.Length >= 3 && c.Name.StartsWith(typed, StringComparison.Ordinal))
            .OrderBy(c => c.Distance)
            .Select(c => c.Name)
            .FirstOrDefault();
    }

    private static RemoteFile[] IdxFiles(string[] mirrors, string trainImages, string trainLabels, string testImages, string testLabels)
    {
        RemoteFile File(string name, string md5) => new(name, md5, mirrors.Select(m => m + name).ToList());
        return new[]
        {
            File("train-images-idx3-ubyte.gz", trainImages), File("train-labels-idx1-ubyte.gz", trainLabels),
            File("t10k-images-idx3-ubyte.gz", testImages), File("t10k-labels-idx1-ubyte.gz", testLabels),
        };
    }
}

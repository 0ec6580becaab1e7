namespace CnnLab.Data;

/// <summary>Fashion-MNIST: 60,000 + 10,000 grayscale 28x28 images of 10 clothing classes (Zalando Research).</summary>
public static class FashionMnist
{
    /// <summary>Where Debian's package dataset-fashion-mnist installs the files.</summary>
    public const string DebianFolder = "/usr/share/datasets/fashion-mnist";

    /// <summary>Loads it from <paramref name="dataDir"/>, the cache, Debian's folder or the official mirrors, in that order.</summary>
    public static DataSplits Load(string? dataDir = null, DataLocator? locator = null) =>
        KnownDatasetLoader.Load(DatasetCatalog.FashionMnist, locator ?? KnownDatasetLoader.DefaultLocator(dataDir));

    /// <summary>The class names in label order.</summary>
    public static IReadOnlyList<string> ClassNames => DatasetCatalog.FashionMnist.ClassNames;
}

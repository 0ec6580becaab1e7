namespace CnnLab.Data;

/// <summary>CIFAR-10: 50,000 + 10,000 RGB 32x32 images of 10 classes.</summary>
public static class Cifar10
{

    /// <summary>Loads it from <paramref name="dataDir"/>, the cache, system folders or the official mirrors, in that order.</summary>
    public static DataSplits Load(string? dataDir = null, DataLocator? locator = null) =>
        KnownDatasetLoader.Load(DatasetCatalog.Cifar10, locator ?? KnownDatasetLoader.DefaultLocator(dataDir));

    /// <summary>The class names in label order.</summary>
    public static IReadOnlyList<string> ClassNames => DatasetCatalog.Cifar10.ClassNames;
}

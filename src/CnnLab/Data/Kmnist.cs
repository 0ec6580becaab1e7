namespace CnnLab.Data;

/// <summary>Kuzushiji-MNIST: 60,000 + 10,000 grayscale 28x28 cursive Japanese characters.</summary>
public static class Kmnist
{

    /// <summary>Loads it from <paramref name="dataDir"/>, the cache, system folders or the official mirrors, in that order.</summary>
    public static DataSplits Load(string? dataDir = null, DataLocator? locator = null) =>
        KnownDatasetLoader.Load(DatasetCatalog.Kmnist, locator ?? KnownDatasetLoader.DefaultLocator(dataDir));

    /// <summary>The class names in label order.</summary>
    public static IReadOnlyList<string> ClassNames => DatasetCatalog.Kmnist.ClassNames;
}

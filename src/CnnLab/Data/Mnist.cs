namespace CnnLab.Data;

/// <summary>MNIST: 60,000 + 10,000 grayscale 28x28 handwritten digits.</summary>
public static class Mnist
{

    /// <summary>Loads it from <paramref name="dataDir"/>, the cache, system folders or the official mirrors, in that order.</summary>
    public static DataSplits Load(string? dataDir = null, DataLocator? locator = null) =>
        KnownDatasetLoader.Load(DatasetCatalog.Mnist, locator ?? KnownDatasetLoader.DefaultLocator(dataDir));

    /// <summary>The class names in label order.</summary>
    public static IReadOnlyList<string> ClassNames => DatasetCatalog.Mnist.ClassNames;
}

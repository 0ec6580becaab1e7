namespace CnnLab.Data;

/// <summary>Loads a known dataset from wherever <see cref="DataLocator"/> finds it.</summary>
public static class KnownDatasetLoader
{
    /// <summary>Locates and reads the training and test splits, pixels scaled to [0, 1].</summary>
    public static DataSplits Load(KnownDataset dataset, DataLocator locator)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(locator);
        var (folder, source) = locator.Locate(dataset);
        if (dataset.Format == DatasetFormat.Cifar10Binary)
        {
            return Cifar10Reader.Load(folder, dataset.ClassNames, source);
        }
        var train = IdxDataset.Load(folder, "train", dataset.ClassNames);
        try
        {
            var test = IdxDataset.Load(folder, "t10k", dataset.ClassNames);
            return new DataSplits(dataset.Name, train, test, source);
        }
        catch
        {
            train.Dispose();
            throw;
        }
    }

    /// <summary>A locator for the usual order: <paramref name="dataDir"/>, the cache, system folders, then a download.</summary>
    public static DataLocator DefaultLocator(string? dataDir) => new(dataDir, downloader: new Downloader());
}

namespace CnnLab.Data;

/// <summary>
/// Opens what a user names with --dataset: a known dataset (fashion-mnist, mnist, kmnist, cifar10), a folder of
/// class sub-folders, or a CSV file. Folders with train/ and test/ sub-folders, and CSVs whose name contains
/// "train" beside a "test" twin, give their own test split; otherwise a stratified 20% is held out as test.
/// </summary>
public static class DatasetSource
{
    /// <summary>Share of a single folder or CSV held out as the test split.</summary>
    public const double HoldOutFraction = 0.2;

    /// <summary>Opens the dataset.</summary>
    public static DataSplits Open(string spec, string? dataDir = null, ColorMode color = ColorMode.Rgb, (int Height, int Width)? imageSize = null,
        DataLocator? locator = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (DatasetCatalog.Find(spec) is { } known)
        {
            return KnownDatasetLoader.Load(known, locator ?? KnownDatasetLoader.DefaultLocator(dataDir));
        }
        if (Directory.Exists(spec))
        {
            var train = Path.Combine(spec, "train");
            var test = Path.Combine(spec, "test");
            if (Directory.Exists(train) && Directory.Exists(test))
            {
                var trainSet = ImageFolder.Load(train, color, imageSize);
                var testSet = ImageFolder.Load(test, color, imageSize ?? (trainSet.InputShape.Height, trainSet.InputShape.Width));
                RequireSameClasses(trainSet, testSet, test);
                return new DataSplits(Path.GetFileName(Path.GetFullPath(spec).TrimEnd('/')), trainSet, testSet, $"image folders {train} and {test}");
            }
            return HoldOut(Path.GetFileName(Path.GetFullPath(spec).TrimEnd('/')), ImageFolder.Load(spec, color, imageSize), $"image folder {spec}");
        }
        if (spec.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            var name = Path.GetFileNameWithoutExtension(spec);
            var twin = name.Contains("train", StringComparison.OrdinalIgnoreCase)
                ? Path.Combine(Path.GetDirectoryName(spec) ?? ".", name.Replace("train", "test", StringComparison.OrdinalIgnoreCase) + ".csv")
                : null;
            var trainSet = CsvImages.Load(spec);
            if (twin is not null && File.Exists(twin))
            {
                var testSet = CsvImages.Load(twin, classNames: trainSet.ClassNames);
                return new DataSplits(name, trainSet, testSet, $"CSV files {spec} and {twin}");
            }
            return HoldOut(name, trainSet, $"CSV file {spec}");
        }
        throw new ArgumentException(
            $"Unknown dataset \"{spec}\". Expected one of: {string.Join(", ", DatasetCatalog.Names)}, a folder of class sub-folders, or a .csv file.",
            nameof(spec));
    }

    private static DataSplits HoldOut(string name, Dataset all, string source)
    {
        using (all)
        {
            var (train, test) = StratifiedSplit.Split(all, HoldOutFraction, seed: 0);
            return new DataSplits(name, train, test, $"{source} (a stratified {HoldOutFraction:P0} held out as test, seed 0)");
        }
    }

    private static void RequireSameClasses(Dataset train, Dataset test, string testFolder)
    {
        if (!train.ClassNames.SequenceEqual(test.ClassNames))
        {
            throw new InvalidDataException(
                $"{testFolder} has classes {string.Join(", ", test.ClassNames)} but the training folder has {string.Join(", ", train.ClassNames)}; they must match.");
        }
    }
}

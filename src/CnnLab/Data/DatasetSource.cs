using System.Globalization;
using static TorchSharp.torch;

namespace CnnLab.Data;

/// <summary>
/// Opens what a user names with --dataset: a known dataset (fashion-mnist, mnist, kmnist, cifar10, or Keras' names
/// fashion_mnist, ...), a folder of class sub-folders, or a CSV file. Folders with train/ and test/ sub-folders, and CSVs
/// whose name contains "train" beside a "test" twin, give their own test split; otherwise a stratified 20% is held out as
/// test. The training split of a folder or CSV file is shuffled (<see cref="DataShuffle"/>) so that a limit to its first
/// samples and Keras' validation_split (its last fraction) see every class; the test split is the same whatever the shuffle.
/// </summary>
public static class DatasetSource
{
    /// <summary>Share of a single folder or CSV held out as the test split.</summary>
    public const double HoldOutFraction = 0.2;

    /// <summary>
    /// Opens the dataset. <paramref name="shuffle"/> orders a folder's or CSV file's training split (null: shuffled with
    /// <see cref="DataShuffle.DefaultSeed"/>); a known dataset keeps its publisher's order and refuses one.
    /// </summary>
    public static DataSplits Open(string spec, string? dataDir = null, ColorMode color = ColorMode.Rgb,
        (int Height, int Width)? imageSize = null,
        DataLocator? locator = null, DataShuffle? shuffle = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (DatasetCatalog.Find(spec) is { } known)
        {
            if (shuffle is not null)
            {
                throw new ArgumentException(
                    $"{known.Name} is read in its publisher's order, whose classes are already mixed; a shuffle ({shuffle}) " +
                    $"applies to image folders " +
                    $"and CSV files only. Leave the shuffle settings out for {known.Name}.", nameof(shuffle));
            }
            return KnownDatasetLoader.Load(known, locator ?? KnownDatasetLoader.DefaultLocator(dataDir)) with { Spec = known.Name };
        }
        var order = shuffle ?? DataShuffle.Default;
        if (Directory.Exists(spec))
        {
            var name = Path.GetFileName(Path.GetFullPath(spec).TrimEnd('/'));
            var train = Path.Combine(spec, "train");
            var test = Path.Combine(spec, "test");
            if (Directory.Exists(train) && Directory.Exists(test))
            {
                var trainSet = ImageFolder.Load(train, color, imageSize, order);
                var testSet = ImageFolder.Load(test, color, imageSize ?? (trainSet.InputShape.Height, trainSet.InputShape.Width),
                    DataShuffle.KeepFileOrder);
                RequireSameClasses(trainSet, testSet, test);
                return new DataSplits(name, trainSet, testSet, $"image folders {train} and {test}, training samples {order}")
                {
                    Spec = Path.GetFullPath(spec),
                    Shuffle = order,
                };
            }
            return HoldOut(name, Path.GetFullPath(spec), ImageFolder.Load(spec, color, imageSize, DataShuffle.KeepFileOrder),
                $"image folder {spec}", order);
        }
        if (spec.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            var name = Path.GetFileNameWithoutExtension(spec);
            var twin = name.Contains("train", StringComparison.OrdinalIgnoreCase)
                ? Path.Combine(Path.GetDirectoryName(spec) ?? ".",
                    name.Replace("train", "test", StringComparison.OrdinalIgnoreCase) + ".csv")
                : null;
            if (twin is not null && File.Exists(twin))
            {
                var trainSet = CsvImages.Load(spec, shuffle: order);
                var testSet = CsvImages.Load(twin, classNames: trainSet.ClassNames, shuffle: DataShuffle.KeepFileOrder);
                return new DataSplits(name, trainSet, testSet, $"CSV files {spec} and {twin}, training samples {order}")
                {
                    Spec = Path.GetFullPath(spec),
                    Shuffle = order,
                };
            }
            return HoldOut(name, Path.GetFullPath(spec), CsvImages.Load(spec, shuffle: DataShuffle.KeepFileOrder), $"CSV file {spec}",
                order);
        }
        if (spec.Contains('/') || spec.Contains(Path.DirectorySeparatorChar))
        {
            throw new DirectoryNotFoundException(
                $"Dataset folder \"{spec}\" does not exist. Expected a folder of class sub-folders, a .csv file, or one of: " +
                $"{string.Join(", ", DatasetCatalog.Names)}.");
        }
        var nearest = DatasetCatalog.Nearest(spec);
        throw new ArgumentException(
            $"Unknown dataset \"{spec}\". Expected one of: {string.Join(", ", DatasetCatalog.Names)}, a folder of class sub-folders, " +
            $"or a .csv file." +
            (nearest is null ? "" : $" Did you mean \"{nearest}\"?"),
            nameof(spec));
    }

    /// <summary>
    /// Holds out the test split from the file order first, so it is the same whatever the shuffle (a model evaluated later
    /// meets the images it was tested on, never its training images), then shuffles the rest.
    /// </summary>
    private static DataSplits HoldOut(string name, string spec, Dataset all, string source, DataShuffle order)
    {
        using (all)
        {
            var (kept, test) = StratifiedSplit.Split(all, HoldOutFraction, seed: 0);
            Dataset train;
            using (kept)
            using (var index = tensor(order.Order(kept.Count).Select(i => (long)i).ToArray()))
            {
                train = kept.Select(index);
            }
            return new DataSplits(name, train, test, string.Create(CultureInfo.InvariantCulture,
                $"{source} (a stratified {HoldOutFraction * 100:0}% held out as test, seed 0; training samples {order})"))
            {
                Spec = spec,
                Shuffle = order,
            };
        }
    }

    private static void RequireSameClasses(Dataset train, Dataset test, string testFolder)
    {
        if (!train.ClassNames.SequenceEqual(test.ClassNames))
        {
            throw new InvalidDataException(
                $"{testFolder} has classes {string.Join(", ", test.ClassNames)} but the training folder has " +
                $"{string.Join(", ", train.ClassNames)}; they must match.");
        }
    }
}

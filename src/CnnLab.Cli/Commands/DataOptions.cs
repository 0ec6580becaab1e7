using System.CommandLine;
using System.Globalization;
using CnnLab.Data;

namespace CnnLab.Cli.Commands;

/// <summary>The options that say which data a command uses, and how to open it.</summary>
internal sealed class DataOptions
{
    private readonly Option<string> _dataset = new("--dataset")
    {
        Description = $"Dataset: {string.Join(", ", DatasetCatalog.Names)}, a folder of class sub-folders, or a .csv file.",
        DefaultValueFactory = _ => "fashion-mnist",
    };

    private readonly Option<string?> _dataDir = new("--data-dir")
    {
        Description = "Folder holding a known dataset's files (checked first; then $CNNLAB_DATA or ~/.cnnlab/datasets, system folders, " +
            "a download).",
    };

    private readonly Option<ColorMode> _color = new("--color-mode")
    {
        Description = "For image folders: rgb or grayscale.",
        DefaultValueFactory = _ => ColorMode.Rgb,
    };

    private readonly Option<string?> _imageSize = new("--image-size")
    {
        Description = "For image folders: resize every image to HxW, e.g. 32x32 (needed when sizes differ).",
    };

    private readonly Option<bool> _keepOrder = new("--keep-order")
    {
        Description = "For image folders and CSV files: keep the training samples in file order instead of shuffling them (seeded) " +
            "as Keras does.",
    };

    private readonly Option<long?> _shuffleSeed = new("--shuffle-seed")
    {
        Description = $"For image folders and CSV files: seed of the shuffle of the training samples (default {DataShuffle.DefaultSeed}).",
    };

    /// <summary>Adds the options to a command; <paramref name="positional"/>
    /// takes the dataset as an argument instead of --dataset.</summary>
    public DataOptions(Command command, Argument<string>? positional = null)
    {
        Positional = positional;
        if (positional is null)
        {
            command.Options.Add(_dataset);
        }
        command.Options.Add(_dataDir);
        command.Options.Add(_color);
        command.Options.Add(_imageSize);
        command.Options.Add(_keepOrder);
        command.Options.Add(_shuffleSeed);
    }

    private Argument<string>? Positional { get; }

    /// <summary>
    /// Opens the dataset the command line names; without --dataset, <paramref name="fallback"/> (a saved model's training
    /// dataset) when given, else Fashion-MNIST.
    /// </summary>
    public DataSplits Open(ParseResult parse, string? fallback = null)
    {
        var spec = Positional is not null ? parse.GetValue(Positional)!
            : fallback is not null && parse.GetResult(_dataset) is null or { Implicit: true } ? fallback
            : parse.GetValue(_dataset)!;
        return DatasetSource.Open(spec, parse.GetValue(_dataDir), parse.GetValue(_color), ParseSize(parse.GetValue(_imageSize)),
            shuffle: Shuffle(parse));
    }

    /// <summary>The order the options ask for; null when neither is given, so a known dataset (which refuses one) opens as it is.</summary>
    private DataShuffle? Shuffle(ParseResult parse)
    {
        var keepOrder = parse.GetValue(_keepOrder);
        var seed = parse.GetValue(_shuffleSeed);
        if (keepOrder && seed is not null)
        {
            throw new ArgumentException("--keep-order and --shuffle-seed contradict each other: the first keeps the file order, " +
                "the second shuffles. Give one.");
        }
        return keepOrder ? DataShuffle.KeepFileOrder : seed is long s ? DataShuffle.WithSeed(s) : null;
    }

    private static (int Height, int Width)? ParseSize(string? text)
    {
        if (text is null)
        {
            return null;
        }
        var parts = text.ToLowerInvariant().Split('x');
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var h) &&
            int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var w) && h > 0 && w > 0)
        {
            return (h, w);
        }
        throw new ArgumentException($"Invalid value for --image-size: \"{text}\". Expected HEIGHTxWIDTH with positive " +
            $"numbers, e.g. 32x32.");
    }
}

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
        Description = "Folder holding a known dataset's files (checked first; then $CNNLAB_DATA or ~/.cnnlab/datasets, system folders, a download).",
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

    /// <summary>Adds the options to a command; <paramref name="positional"/> takes the dataset as an argument instead of --dataset.</summary>
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
    }

    private Argument<string>? Positional { get; }

    public DataSplits Open(ParseResult parse)
    {
        var spec = Positional is null ? parse.GetValue(_dataset)! : parse.GetValue(Positional)!;
        return DatasetSource.Open(spec, parse.GetValue(_dataDir), parse.GetValue(_color), ParseSize(parse.GetValue(_imageSize)));
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
        throw new ArgumentException($"Invalid value for --image-size: \"{text}\". Expected HEIGHTxWIDTH with positive numbers, e.g. 32x32.");
    }
}

using System.CommandLine;
using System.Globalization;
using CnnLab.Data;
using CnnLab.Studies.Reporting;

namespace CnnLab.Cli.Commands;

/// <summary><c>cnnlab data info NAME</c> and <c>cnnlab data show NAME --grid 5 --out grid.png</c>.</summary>
internal static class DataCommand
{
    public static Command Create()
    {
        var command = new Command("data", "Inspect datasets: counts, shapes, where the files were found, sample images.");
        command.Subcommands.Add(Info());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Export());
        return command;
    }

    private static Command Info()
    {
        var name = new Argument<string>("NAME") { Description =
            $"{string.Join(", ", DatasetCatalog.Names)}, a folder of class sub-folders, or a .csv file." };
        var command = new Command("info", "Print a dataset's shape, class counts per split and where its files were found.") { name };
        var data = new DataOptions(command, name);
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            using var splits = data.Open(parse);
            Console.WriteLine($"{splits.Name}: input shape {splits.InputShape}, {splits.ClassNames.Count} classes, " +
                $"from {OptionNames.ForCommandLine(splits.Source)}");
            var train = splits.Train.CountsPerClass();
            var test = splits.Test.CountsPerClass();
            var width = Math.Max(5, splits.ClassNames.Max(c => c.Length));
            Console.WriteLine($"{"class".PadRight(width)}  {"train",7}  {"test",7}");
            for (var c = 0; c < splits.ClassNames.Count; c++)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{splits.ClassNames[c].PadRight(width)}  {train[c],7}  {test[c],7}"));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{"total".PadRight(width)}  {splits.Train.Count,7}  {splits.Test.Count,7}"));
            return 0;
        }));
        return command;
    }

    private static Command Show()
    {
        var name = new Argument<string>("NAME") { Description =
            $"{string.Join(", ", DatasetCatalog.Names)}, a folder of class sub-folders, or a .csv file." };
        var grid = CommonOptions.Integer("--grid", "Images per row and column.", 5, maximum: 100);
        var output = new Option<string>("--out") { Description = "PNG file to write.", DefaultValueFactory = _ => "grid.png" };
        var seed = new Option<long>("--seed") { Description = "Seed of the random pick.", DefaultValueFactory = _ => 0 };
        var command = new Command("show", "Write a PNG grid of random training images captioned with their class names.") { name, grid,
            output, seed };
        var data = new DataOptions(command, name);
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            using var splits = data.Open(parse);
            var path = parse.GetValue(output)!;
            SampleGrid.Save(splits.Train, path, parse.GetValue(grid), parse.GetValue(seed));
            Console.WriteLine($"Wrote {path}: {Math.Min(parse.GetValue(grid) * parse.GetValue(grid), splits.Train.Count)} images of " +
                $"{splits.Name}.");
            return 0;
        }));
        return command;
    }

    private static Command Export()
    {
        var name = new Argument<string>("NAME") { Description =
            $"{string.Join(", ", DatasetCatalog.Names)}, a folder of class sub-folders, or a .csv file." };
        var output = new Option<string>("--out") { Description = "Folder to write the PNG files to.", DefaultValueFactory = _ => "images" };
        var count = CommonOptions.Integer("--count", "How many images, from the first.", 10);
        var split = new Option<string>("--split") { Description = "Which split: test or train.", DefaultValueFactory = _ => "test" };
        split.AcceptOnlyFromAmong("test", "train");
        var command = new Command("export", "Write the first images of a split as PNG files named by index and class (e.g. " +
            "test-00000-ankle-boot.png), to try `cnnlab predict` on.")
        {
            name, output, count, split,
        };
        var data = new DataOptions(command, name);
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            using var splits = data.Open(parse);
            var which = parse.GetValue(split)!;
            var dataset = which == "train" ? splits.Train : splits.Test;
            var folder = parse.GetValue(output)!;
            var n = Math.Min(parse.GetValue(count), dataset.Count);
            var labels = dataset.Labels.data<long>().ToArray();
            for (var i = 0; i < n; i++)
            {
                var slug = new string(splits.ClassNames[(int)labels[i]].ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c
                    : '-').ToArray());
                ImageFiles.SavePng(dataset, i,
                    Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"{which}-{i:D5}-{slug}.png")));
            }
            Console.WriteLine($"Wrote {n} {which} image(s) of {splits.Name} to {folder}.");
            return 0;
        }));
        return command;
    }
}

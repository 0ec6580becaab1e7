using System.CommandLine;
using System.Globalization;
using CnnLab.Data;
using CnnLab.Reporting;

namespace CnnLab.Cli.Commands;

/// <summary><c>cnnlab data info NAME</c> and <c>cnnlab data show NAME --grid 5 --out grid.png</c>.</summary>
internal static class DataCommand
{
    public static Command Create()
    {
        var command = new Command("data", "Inspect datasets: counts, shapes, where the files were found, sample images.");
        command.Subcommands.Add(Info());
        command.Subcommands.Add(Show());
        return command;
    }

    private static Command Info()
    {
        var name = new Argument<string>("NAME") { Description = $"{string.Join(", ", DatasetCatalog.Names)}, a folder of class sub-folders, or a .csv file." };
        var command = new Command("info", "Print a dataset's shape, class counts per split and where its files were found.") { name };
        var data = new DataOptions(command, name);
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            using var splits = data.Open(parse);
            Console.WriteLine($"{splits.Name}: input shape {splits.InputShape}, {splits.ClassNames.Count} classes, from {splits.Source}");
            var train = splits.Train.CountsPerClass();
            var test = splits.Test.CountsPerClass();
            var width = Math.Max(5, splits.ClassNames.Max(c => c.Length));
            Console.WriteLine($"{"class".PadRight(width)}  {"train",7}  {"test",7}");
            for (var c = 0; c < splits.ClassNames.Count; c++)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{splits.ClassNames[c].PadRight(width)}  {train[c],7}  {test[c],7}"));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"total".PadRight(width)}  {splits.Train.Count,7}  {splits.Test.Count,7}"));
            return 0;
        }));
        return command;
    }

    private static Command Show()
    {
        var name = new Argument<string>("NAME") { Description = $"{string.Join(", ", DatasetCatalog.Names)}, a folder of class sub-folders, or a .csv file." };
        var grid = CommonOptions.Positive(new Option<int>("--grid") { Description = "Images per row and column.", DefaultValueFactory = _ => 5 });
        var output = new Option<string>("--out") { Description = "PNG file to write.", DefaultValueFactory = _ => "grid.png" };
        var seed = new Option<long>("--seed") { Description = "Seed of the random pick.", DefaultValueFactory = _ => 0 };
        var command = new Command("show", "Write a PNG grid of random training images captioned with their class names.") { name, grid, output, seed };
        var data = new DataOptions(command, name);
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            using var splits = data.Open(parse);
            var path = parse.GetValue(output)!;
            SampleGrid.Save(splits.Train, path, parse.GetValue(grid), parse.GetValue(seed));
            Console.WriteLine($"Wrote {path}: {Math.Min(parse.GetValue(grid) * parse.GetValue(grid), splits.Train.Count)} images of {splits.Name}.");
            return 0;
        }));
        return command;
    }
}

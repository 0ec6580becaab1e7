using System.CommandLine;
using CnnLab.Models;
using CnnLab.Training;

namespace CnnLab.Cli.Commands;

/// <summary>Options several commands share, each with its help text and checks.</summary>
internal static class CommonOptions
{
    public static Option<string> Model(string defaultName) => new("--model")
    {
        Description = $"Model name: {string.Join(", ", NotebookModels.Names)}.",
        DefaultValueFactory = _ => defaultName,
    };

    public static Option<int?> Threads() => Positive<int?>(new Option<int?>("--threads")
    {
        Description = "libtorch intra-op threads (default: all cores).",
    });

    public static Option<string> Device() => new("--device")
    {
        Description = "Where to compute: cpu, or cuda / cuda:N where a CUDA build of libtorch and a GPU exist.",
        DefaultValueFactory = _ => "cpu",
    };

    public static Option<string> TestTimeAugmentation()
    {
        var option = new Option<string>("--test-time-augmentation")
        {
            Description = "horizontal_flip averages each image's outputs with its mirror image's (for classes a flip does not change); none by default.",
            DefaultValueFactory = _ => "none",
        };
        option.AcceptOnlyFromAmong(TestTimeAugmentations.Names.ToArray());
        return option;
    }

    /// <summary>The parsed value of an option made by <see cref="TestTimeAugmentation()"/>, which accepts only known names.</summary>
    public static TestTimeAugmentation TestTimeAugmentationOf(string name) =>
        TestTimeAugmentations.TryParse(name, out var value) ? value : throw new ArgumentException($"Unknown test-time augmentation {name}.", nameof(name));

    public static Option<T> Positive<T>(Option<T> option)
    {
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<T>();
            if (value is int i && i <= 0 || value is double d && !(d > 0))
            {
                result.AddError($"Invalid value for {option.Name}: {value}. Expected a value greater than 0.");
            }
        });
        return option;
    }
}

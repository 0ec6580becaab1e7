namespace CnnLab.Cli.Commands;

/// <summary>
/// The library names its arguments as Keras does, in backticks (`dataDir`); the command line calls them by its
/// options. Messages and descriptions the library writes pass through here on their way to the terminal.
/// </summary>
internal static class OptionNames
{
    private static readonly (string Argument, string Option)[] ByArgument =
    {
        ("`dataDir`", "--data-dir"),
        ("`imageSize`", "--image-size HxW"),
        ("`device`", "--device"),
        ("`tasks`", "--task"),
        ("`list`", "--list"),
        ("`only`", "--only"),
        ("`resume`", "--resume"),
        ("a new `outputFolder`", "a new --out folder"),
        ("`parallelism`", "--parallelism"),
        ("`cpusPerTask`", "--cpus-per-task"),
        ("`maxParallel`", "--max-parallel"),
        ("`partition`", "--partition"),
        ("`time`", "--time"),
    };

    /// <summary><paramref name="text"/> with each library argument replaced by the option that sets it.</summary>
    public static string ForCommandLine(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var (argument, option) in ByArgument)
        {
            text = text.Replace(argument, option, StringComparison.Ordinal);
        }
        return text;
    }
}

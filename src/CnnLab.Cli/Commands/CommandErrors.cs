namespace CnnLab.Cli.Commands;

/// <summary>Turns a failed command into one line on stderr and a non-zero exit code, never a stack trace.</summary>
internal static class CommandErrors
{
    /// <summary>The message without .NET's " (Parameter 'x')" suffix, which repeats what the message already names.</summary>
    public static string Describe(Exception e) => e is ArgumentException { ParamName: { } name } argument
        ? argument.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal)
        : e.Message;

    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is ArgumentException or CnnLab.Experiments.StudyFileException or InvalidOperationException or IOException or InvalidDataException
                                      or UnauthorizedAccessException or NotSupportedException or KeyNotFoundException)
        {
            Console.Out.Flush();
            Console.Error.WriteLine($"error: {Describe(e)}");
            return 1;
        }
        catch (TypeInitializationException e) when (e.InnerException is not null)
        {
            Console.Error.WriteLine($"error: the libtorch engine did not load: {e.InnerException.Message.Split('\n')[0]} (see README, \"Engine\").");
            return 1;
        }
    }
}

namespace CnnLab.Cli.Commands;

/// <summary>Turns a failed command into one line on stderr and a non-zero exit code, never a stack trace.</summary>
internal static class CommandErrors
{
    /// <summary>The message without .NET's " (Parameter 'x')" suffix, which repeats what the message already names.</summary>
    public static string Describe(Exception e) => OptionNames.ForCommandLine(e is ArgumentException { ParamName: { } name } argument
        ? argument.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal)
        : e.Message);

    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is ArgumentException or CnnLab.Studies.Experiments.StudyFileException or InvalidOperationException
            or IOException or InvalidDataException
                                      or UnauthorizedAccessException or NotSupportedException or KeyNotFoundException)
        {
            Console.Out.Flush();
            Console.Error.WriteLine($"error: {Describe(e)}");
            return 1;
        }
        catch (TypeInitializationException e) when (e.InnerException is not null)
        {
            Console.Out.Flush();
            Console.Error.WriteLine($"error: {EngineFailure(e.InnerException)}");
            return 1;
        }
    }

    /// <summary>
    /// Why libtorch did not load. CnnLab's own check throws InvalidOperationException with the cause and the fix;
    /// TorchSharp's loader blames a missing libtorch package whatever the cause, so its message is replaced by
    /// what the dynamic loader says, where CnnLab can still ask.
    /// </summary>
    internal static string EngineFailure(Exception inner)
    {
        if (inner is InvalidOperationException)
        {
            return inner.Message;
        }
        try
        {
            if (LoaderDiagnosis() is { } cause)
            {
                return cause;
            }
        }
        catch (TypeInitializationException)
        {
            // CnnLab itself did not initialise: TorchSharp's first line is all there is.
        }
        return $"the libtorch engine did not load: {inner.Message.Split('\n')[0]} (see README, \"Engine\").";
    }

    /// <summary>
    /// A method of its own: compiling a call into CnnLab runs CnnLab's module initializer, which throws where libtorch
    /// cannot load, so that call must not sit in a method that runs on the way to reporting exactly that.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static string? LoaderDiagnosis() => CnnLab.Engine.LibTorchLoader.Diagnose();
}

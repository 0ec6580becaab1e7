using System.Diagnostics;

namespace CnnLab.Tests.Cli;

/// <summary>Runs the real cnnlab program (copied beside the tests) and returns its exit code, stdout and stderr.</summary>
internal static class CliRunner
{
    public static (int Code, string Output, string Error) Run(params string[] arguments) =>
        RunWithEnvironment(new Dictionary<string, string>(), arguments);

    /// <summary>As <see cref="Run"/>, with these environment variables set for the program.</summary>
    public static (int Code, string Output, string Error) RunWithEnvironment(IReadOnlyDictionary<string, string> environment,
        params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        // This test process turns the governor off for itself (FixedThreads); the program runs as a user's would.
        start.Environment.Remove(CnnLab.Engine.ThreadGovernor.Variable);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CnnLab.Cli.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>A refused command: nothing on stdout, one line "error: <paramref name="expected"/>" on stderr, exit code 1.</summary>
    public static void AssertRefused((int Code, string Output, string Error) result, string expected)
    {
        Assert.Equal("", result.Output);
        Assert.Equal($"error: {expected}\n", result.Error);
        Assert.Equal(1, result.Code);
    }
}

using System.Diagnostics;

namespace CnnLab.Tests.Cli;

/// <summary>Runs the real cnnlab program (copied beside the tests) and returns its exit code, stdout and stderr.</summary>
internal static class CliRunner
{
    public static (int Code, string Output, string Error) Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
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
}

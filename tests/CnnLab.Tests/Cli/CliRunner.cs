using System.Diagnostics;

namespace CnnLab.Tests.Cli;

/// <summary>Runs the real cnnlab program (copied beside the tests) and returns its exit code, stdout and stderr.</summary>
internal static class CliRunner
{
    /// <summary>The most memory a refused command may take (issue 23): bad input is refused before it is allocated.</summary>
    public const long RefusalMemoryBytes = 2L << 30;

    // The program runs under python3, which reports the largest resident set of its one child (the program): .NET
    // cannot read a process's peak memory once it has exited.
    private const string Measure = "import resource, subprocess, sys\n" +
        "code = subprocess.call(sys.argv[2:])\n" +
        "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024))\n" +
        "sys.exit(code if code >= 0 else 128 - code)\n";

    public static CliResult Run(params string[] arguments) =>
        RunWithEnvironment(new Dictionary<string, string>(), arguments);

    /// <summary>As <see cref="Run"/>, with these environment variables set for the program.</summary>
    public static CliResult RunWithEnvironment(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var peakFile = Path.GetTempFileName();
        try
        {
            var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            // This test process turns the governor off for itself (FixedThreads); the program runs as a user's would.
            start.Environment.Remove(CnnLab.Engine.ThreadGovernor.Variable);
            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }
            foreach (var argument in new[] { "-c", Measure, peakFile, "dotnet", Path.Combine(AppContext.BaseDirectory, "CnnLab.Cli.dll") }
                         .Concat(arguments))
            {
                start.ArgumentList.Add(argument);
            }
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            var peak = long.TryParse(File.ReadAllText(peakFile), out var bytes) ? bytes : -1;
            return new CliResult(process.ExitCode, output.Result, error.Result, peak);
        }
        finally
        {
            File.Delete(peakFile);
        }
    }

    /// <summary>
    /// A refused command: nothing on stdout, one line "error: <paramref name="expected"/>" on stderr, exit code 1, and
    /// at most <see cref="RefusalMemoryBytes"/> of memory on the way.
    /// </summary>
    public static void AssertRefused(CliResult result, string expected)
    {
        Assert.Equal("", result.Output);
        Assert.Equal($"error: {expected}\n", result.Error);
        Assert.Equal(1, result.Code);
        AssertRefusalMemory(result);
    }

    /// <summary>The program's peak resident memory stayed under <see cref="RefusalMemoryBytes"/>.</summary>
    public static void AssertRefusalMemory(CliResult result)
    {
        Assert.InRange(result.PeakBytes, 1, RefusalMemoryBytes);
    }
}

/// <summary>What the program did: exit code, stdout, stderr, and its peak resident memory in bytes.</summary>
internal sealed record CliResult(int Code, string Output, string Error, long PeakBytes)
{
    public void Deconstruct(out int code, out string output, out string error) => (code, output, error) = (Code, Output, Error);
}

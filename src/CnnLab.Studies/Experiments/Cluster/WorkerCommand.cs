namespace CnnLab.Studies.Experiments.Cluster;

/// <summary>
/// How a scheduled task starts CnnLab: the program (and, for <c>dotnet cnnlab.dll</c>, the assembly), the study
/// file and results folder as absolute paths, and the command line's overrides, so every task resolves the very study
/// the folder records and a task given another is refused.
/// </summary>
public sealed record WorkerCommand(IReadOnlyList<string> Program, string StudyFile, string ResultsFolder, int? Epochs, int? Seeds,
    int? Limit)
{
    /// <summary>The arguments after the program for one task: <c>study FILE
    /// --out DIR --task TASK --threads N</c> and the overrides.</summary>
    public IReadOnlyList<string> TaskArguments(string task, int threads)
    {
        var arguments = new List<string> { "study", StudyFile, "--out", ResultsFolder, "--task", task, "--threads",
            threads.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        AddOverrides(arguments);
        return arguments;
    }

    /// <summary>The arguments after the program for one search worker: <c>search FILE --out DIR --worker --threads N</c>.</summary>
    public IReadOnlyList<string> SearchWorkerArguments(int threads) => SearchArguments("--worker", threads);

    /// <summary>The arguments after the program for a search's verdict and report: <c>search FILE --out DIR --resume</c>.</summary>
    public IReadOnlyList<string> SearchConcludeArguments(int threads) => SearchArguments("--resume", threads);

    /// <summary>The arguments after the program for the report: <c>study report DIR</c>.</summary>
    public IReadOnlyList<string> ReportArguments() => new[] { "study", "report", ResultsFolder };

    /// <summary>A word quoted for a POSIX shell: single quotes, each inner one written as '\''.</summary>
    public static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "/._-+=:,@%".Contains(c)) ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>A command line for a shell script.</summary>
    public string ShellLine(IEnumerable<string> arguments) => string.Join(" ", Program.Concat(arguments).Select(Quote));

    private List<string> SearchArguments(string mode, int threads)
    {
        var arguments = new List<string> { "search", StudyFile, "--out", ResultsFolder, mode, "--threads",
            threads.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        // A search's seeds are its section's; only the epochs and the image limit can be overridden.
        (this with { Seeds = null }).AddOverrides(arguments);
        return arguments;
    }

    private void AddOverrides(List<string> arguments)
    {
        foreach (var (name, value) in new[] { ("--epochs", Epochs), ("--seeds", Seeds), ("--limit", Limit) })
        {
            if (value is int v)
            {
                arguments.Add(name);
                arguments.Add(v.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }
}

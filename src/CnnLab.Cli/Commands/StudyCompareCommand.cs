using System.CommandLine;
using CnnLab.Studies.Reporting;

namespace CnnLab.Cli.Commands;

/// <summary><c>cnnlab study compare A B</c>: two results folders of the same runs, run by run, paired by seed.</summary>
internal static class StudyCompareCommand
{
    public static Command Create()
    {
        var first = new Argument<string>("A") { Description = "The first study's results folder (the reference)." };
        var second = new Argument<string>("B") { Description = "The second study's results folder (differences are B - A)." };
        var metric = new Option<string>("--metric")
        {
            Description = $"What to compare: {string.Join(", ", FolderComparison.Metrics)} (default test_accuracy).",
            DefaultValueFactory = _ => "test_accuracy",
        };
        var command = new Command("compare", "Compare two results folders of the same runs (float32 and mixed_bfloat16, before and " +
            "after a change, two machines) run by run, paired by seed: means, the mean difference with its 95% interval and a " +
            "paired t-test, per run and pooled; a Markdown table.") { first, second, metric };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var (a, b) = (parse.GetValue(first)!, parse.GetValue(second)!);
            FolderComparison.CheckMetric(parse.GetValue(metric)!);
            var comparison = FolderComparison.Compare(FolderComparison.Read(a), FolderComparison.Read(b), parse.GetValue(metric)!);
            var (nameA, nameB) = (Name(a), Name(b));
            // Two folders of one name (runs/a/results, runs/b/results) are told apart by their paths as typed.
            Console.Write(nameA == nameB ? comparison.ToMarkdown(a, b) : comparison.ToMarkdown(nameA, nameB));
            return 0;
        }));
        return command;
    }

    private static string Name(string folder) => Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
}

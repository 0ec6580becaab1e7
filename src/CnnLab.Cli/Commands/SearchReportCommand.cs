using System.CommandLine;
using CnnLab.Studies.Experiments;
using CnnLab.Studies.Search;

namespace CnnLab.Cli.Commands;

/// <summary><c>cnnlab search report DIR</c>: the search's report from whatever has finished, the verdict only where trained.</summary>
internal static class SearchReportCommand
{
    public static Command Create()
    {
        var folder = new Argument<string>("DIR") { Description = "The search's results folder (--out of cnnlab search)." };
        var command = new Command("report", "Write report.md of a search folder from the trials and verdict runs finished so far.")
        {
            folder,
        };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var dir = parse.GetValue(folder)!;
            var study = StudyFolder.ReadStudy(dir);
            if (study.Search is null)
            {
                throw new ArgumentException($"{dir} holds a study, not a search; its report: cnnlab study report {dir}");
            }
            var runner = new SearchRunner(study, dir);
            var verdict = runner.VerdictStudy();
            var verdictFolder = Path.Combine(dir, SearchReport.VerdictFolder);
            var results = Directory.Exists(verdictFolder) ? StudyFolder.FinishedResults(verdict, verdictFolder) : Array.Empty<RunResult>();
            Console.WriteLine($"Report: {SearchReport.Write(dir, runner, verdict, results)}");
            return 0;
        }));
        return command;
    }
}

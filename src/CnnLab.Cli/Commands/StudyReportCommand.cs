using System.CommandLine;
using CnnLab.Studies.Experiments;
using CnnLab.Studies.Reporting;

namespace CnnLab.Cli.Commands;

/// <summary><c>cnnlab study report DIR</c>: the report of whatever has finished in a results folder, naming what has not.</summary>
internal static class StudyReportCommand
{
    public static Command Create()
    {
        var folder = new Argument<string>("DIR") { Description = "The study's results folder (--out of cnnlab study)." };
        var command = new Command("report",
            "Write report.md and report.html from the finished tasks of a results folder; the rest are listed as missing.") { folder };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var dir = parse.GetValue(folder)!;
            var study = StudyFolder.ReadStudy(dir);
            var results = StudyFolder.FinishedResults(study, dir);
            if (results.Count == 0)
            {
                throw new InvalidOperationException(
                    $"No task of {dir} has finished yet; nothing to report. " +
                    $"See: cnnlab study {Path.Combine(dir, ResultsFolder.StudyCopy)} --out {dir} --list");
            }
            using var data = StudyData.Open(study);
            StudyReport.Write(dir, study, results, data.Splits, wallTime: null);
            var total = StudyTask.All(study).Count;
            Console.WriteLine($"Report of {results.Count} of {total} task(s): {Path.Combine(dir, ResultsFolder.ReportHtml)} and " +
                              ResultsFolder.ReportMarkdown +
                              (results.Count < total ? $"; {total - results.Count} task(s) missing, listed in the report." : "."));
            return 0;
        }));
        return command;
    }
}

using System.CommandLine;
using CnnLab.Studies.Experiments;

namespace CnnLab.Cli.Commands;

/// <summary><c>cnnlab study status DIR</c>: the task table of a results folder from the folder alone, as it runs.</summary>
internal static class StudyStatusCommand
{
    public static Command Create()
    {
        var folder = new Argument<string>("DIR") { Description = "The study's results folder (--out of cnnlab study)." };
        var command = new Command("status", "The task table of a results folder (run, seed, status, epoch, ETA, host, threads, " +
            "latest accuracy) from the folder alone: no study file or overrides needed.") { folder };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var dir = parse.GetValue(folder)!;
            var study = StudyFolder.ReadStudy(dir);
            var tasks = TaskProgress.Read(study, dir);
            Console.Write(TaskProgress.Table(tasks));
            var counts = tasks.GroupBy(t => t.Status.State).ToDictionary(g => g.Key, g => g.Count());
            Console.WriteLine($"{tasks.Count} task(s) of \"{study.Name}\": {counts.GetValueOrDefault(TaskState.Finished)} finished, " +
                $"{counts.GetValueOrDefault(TaskState.InProgress)} running, {counts.GetValueOrDefault(TaskState.Interrupted)} " +
                $"interrupted, {counts.GetValueOrDefault(TaskState.NotStarted)} waiting.");
            return 0;
        }));
        return command;
    }
}

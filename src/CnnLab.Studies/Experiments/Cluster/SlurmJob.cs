using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using CnnLab.Formats;
using CnnLab.Studies.Reporting;

namespace CnnLab.Studies.Experiments.Cluster;

/// <summary>The settings of a study's Slurm submission (<c>--slurm</c>).</summary>
public sealed record SlurmSettings(string? Partition, int CpusPerTask, int? MaxParallel, string? Time);

/// <summary>
/// A study as two Slurm batch scripts in DIR/slurm: <c>study.sbatch</c>, a job array with one element per task
/// (<c>--task env</c> reads SLURM_ARRAY_TASK_ID), requeued on preemption or node failure, each element continuing its
/// run-seed from the last completed epoch; and <c>report.sbatch</c>, submitted to start after the whole array
/// (<c>afterany</c>: a failed element leaves a report naming what is missing rather than none).
/// </summary>
public static partial class SlurmJob
{
    /// <summary>Writes both scripts and returns their paths.</summary>
    public static (string Study, string Report) Write(StudyDefinition study, WorkerCommand worker, SlurmSettings settings)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(settings);
        return Write(study.Name, StudyTask.All(study).Count, worker, worker.TaskArguments("env", settings.CpusPerTask),
            worker.ReportArguments(), settings);
    }

    /// <summary>
    /// Writes a job array of <paramref name="elements"/> elements, each running <paramref name="elementArguments"/>
    /// (requeued on preemption, appending to its log), and a script running <paramref name="reportArguments"/>: a
    /// study's tasks and report, or a search's workers and its verdict.
    /// </summary>
    public static (string Study, string Report) Write(string studyName, int elements, WorkerCommand worker,
        IReadOnlyList<string> elementArguments, IReadOnlyList<string> reportArguments, SlurmSettings settings)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(settings);
        Check(settings);
        if (worker.ResultsFolder.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new ArgumentException($"The results folder \"{worker.ResultsFolder}\" holds a space or a control character, which a " +
                "#SBATCH line cannot carry (sbatch rejects the directive, and a line break would start a line of its own). Choose a " +
                "folder whose path has neither, or a symbolic link to it that has neither.");
        }
        var tasks = elements;
        var folder = Path.Combine(worker.ResultsFolder, "slurm");
        var logs = Path.Combine(folder, "logs");
        Directory.CreateDirectory(logs);
        var name = "cnnlab-" + StudyRunner.Slug(studyName);
        var array = tasks == 1 ? "0" : $"0-{tasks - 1}";
        if (settings.MaxParallel is int m)
        {
            array += $"%{m}";
        }
        var studyScript = Header(name, settings, Path.Combine(logs, "task-%a.out"))
            .Append(CultureInfo.InvariantCulture, $"#SBATCH --array={array}\n")
            .Append("#SBATCH --requeue\n")
            .Append("# A requeued element appends to its log and continues its run-seed from the last completed epoch.\n")
            .Append("#SBATCH --open-mode=append\n\n")
            .Append("echo \"task ${SLURM_ARRAY_TASK_ID} on $(hostname), job ${SLURM_JOB_ID}, restart ${SLURM_RESTART_COUNT:-0}\"\n")
            .Append("exec ").Append(worker.ShellLine(elementArguments)).Append('\n');
        var reportScript = Header(name + "-report", settings, Path.Combine(logs, "report.out"))
            .Append('\n')
            .Append("exec ").Append(worker.ShellLine(reportArguments)).Append('\n');
        var studyPath = Path.Combine(folder, "study.sbatch");
        var reportPath = Path.Combine(folder, "report.sbatch");
        AtomicFile.WriteText(studyPath, studyScript.ToString());
        AtomicFile.WriteText(reportPath, reportScript.ToString());
        return (studyPath, reportPath);
    }

    /// <summary>The job id in <c>sbatch --parsable</c>'s output ("123" or "123;cluster").</summary>
    public static string ParseJobId(string output)
    {
        var id = (output ?? "").Trim().Split(';')[0];
        return JobId().IsMatch(id) ? id
            : throw new InvalidOperationException($"sbatch printed \"{output?.Trim()}\" where a job id was expected.");
    }

    private static StringBuilder Header(string jobName, SlurmSettings settings, string log)
    {
        var text = new StringBuilder("#!/bin/bash\n")
            .Append("# Written by cnnlab study --slurm.\n")
            .Append(CultureInfo.InvariantCulture, $"#SBATCH --job-name={jobName}\n")
            .Append(CultureInfo.InvariantCulture, $"#SBATCH --cpus-per-task={settings.CpusPerTask}\n")
            .Append(CultureInfo.InvariantCulture, $"#SBATCH --output={log}\n");
        if (settings.Partition is { } partition)
        {
            text.Append(CultureInfo.InvariantCulture, $"#SBATCH --partition={partition}\n");
        }
        if (settings.Time is { } time)
        {
            text.Append(CultureInfo.InvariantCulture, $"#SBATCH --time={time}\n");
        }
        return text;
    }

    private static void Check(SlurmSettings settings)
    {
        if (settings.CpusPerTask < 1)
        {
            throw new ArgumentException($"`cpusPerTask` must be at least 1; received {settings.CpusPerTask}.");
        }
        if (settings.MaxParallel is < 1)
        {
            throw new ArgumentException($"`maxParallel` must be at least 1; received {settings.MaxParallel}.");
        }
        if (settings.Partition is { } p && !Word().IsMatch(p))
        {
            throw new ArgumentException($"`partition` \"{p}\" is not a partition name (letters, digits, '_', '-', '.'; " +
                $"several joined by commas).");
        }
        if (settings.Time is { } t && !TimeLimit().IsMatch(t))
        {
            throw new ArgumentException($"`time` \"{t}\" is not a Slurm time limit. Use minutes (90), MM:SS, HH:MM:SS, D-HH, " +
                $"D-HH:MM or D-HH:MM:SS.");
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]+(,[A-Za-z0-9_.\-]+)*$")]
    private static partial Regex Word();

    [GeneratedRegex(@"^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d+|\d+-\d+:\d{1,2}|\d+-\d+:\d{1,2}:\d{1,2})$")]
    private static partial Regex TimeLimit();

    [GeneratedRegex(@"^\d+$")]
    private static partial Regex JobId();
}

using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CnnLab.Engine;
using CnnLab.Formats;
using CnnLab.Studies.Experiments;
using CnnLab.Studies.Experiments.Cluster;
using CnnLab.Studies.Reporting;

namespace CnnLab.Cli.Commands;

/// <summary>
/// <c>cnnlab study FILE</c>: runs every run of a study file with every seed, then writes the report; or lists its
/// tasks (<c>--list</c>), trains some of them (<c>--task</c>), or hands them to Slurm or Kubernetes.
/// </summary>
internal static class StudyCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "The study file (YAML), e.g. experiments/notebook.yaml." };
        var epochs = CommonOptions.OptionalInteger("--epochs", "Override every run's epochs.", maximum: 100_000);
        var seeds = CommonOptions.OptionalInteger("--seeds", "Override the number of seeds per run.", maximum: StudyLimits.MaxRunSeeds);
        var limit = CommonOptions.OptionalInteger("--limit", "Keep only the first N training samples.");
        var output = new Option<string?>("--out") { Description = "Results folder (default: runs/<study>/<timestamp>)." };
        var only = new Option<string[]>("--only") { Description = "Run only the runs with these names (repeatable).",
            AllowMultipleArgumentsPerToken = true };
        var resume = new Option<bool>("--resume") { Description = "Continue the latest results folder (or --out): " +
            "finished runs are kept and skipped." };
        var threads = CommonOptions.Threads();
        var list = new Option<bool>("--list") { Description = "List the tasks (one per run and seed: index, run, seed, epochs) " +
            "and their status in --out, then exit." };
        var task = new Option<string?>("--task")
        {
            Description = "Train only these tasks into --out, without the report: an index (3), a range (3-5), a list (0,4,7), or env " +
                          "(SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX). Workers on several machines may share --out.",
        };
        var slurm = new Option<bool>("--slurm") { Description = "Write --out/slurm/study.sbatch (a job array, one element per task) " +
            "and report.sbatch." };
        var partition = new Option<string?>("--partition") { Description = "Slurm partition." };
        var cpus = CommonOptions.OptionalInteger("--cpus-per-task",
            "CPUs per task (Slurm and Kubernetes), passed on as --threads (default 2).", maximum: 4096);
        var maxParallel = CommonOptions.OptionalInteger("--max-parallel", "Slurm: at most this many tasks at once (the array's %M).");
        var time = new Option<string?>("--time") { Description = "Slurm time limit per task (e.g. 02:00:00)." };
        var submit = new Option<bool>("--submit") { Description =
            "Slurm: submit both scripts with sbatch (the report after the whole array) and print the job ids." };
        var kubernetes = new Option<bool>("--kubernetes") { Description = "Write --out/kubernetes/study-job.yaml (an Indexed Job) " +
            "and report-job.yaml." };
        var image = new Option<string?>("--image") { Description =
            "Kubernetes: the container image with cnnlab (see the repository's Dockerfile; default cnnlab:latest)." };
        var parallelism = CommonOptions.OptionalInteger("--parallelism", "Kubernetes: pods at once (default: one per task).");
        var claim = new Option<string?>("--volume-claim") { Description = "Kubernetes: the PersistentVolumeClaim (ReadWriteMany) " +
            "holding --out (default cnnlab-results)." };
        var command = new Command("study",
            "Run a whole comparison from one study file, repeated over seeds, into a report (report.md, report.html).")
        {
            file, epochs, seeds, limit, output, only, resume, threads, list, task, slurm, partition, cpus, maxParallel, time, submit,
            kubernetes, image, parallelism, claim,
        };
        command.Subcommands.Add(StudyReportCommand.Create());
        command.Subcommands.Add(StudyStatusCommand.Create());
        command.Subcommands.Add(StudyCompareCommand.Create());
        command.Subcommands.Add(StudySchemaCommand.Create());
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var studyFile = parse.GetValue(file)!;
            var studyText = StudyParser.ReadFile(studyFile);
            var parsed = StudyParser.Parse(studyText, studyFile);
            var overridden = parse.GetValue(epochs) is not null || parse.GetValue(seeds) is not null || parse.GetValue(limit) is not null;
            var study = parsed.WithOverrides(parse.GetValue(epochs), parse.GetValue(seeds), parse.GetValue(limit));
            var onlyRuns = parse.GetValue(only) ?? Array.Empty<string>();
            var taskSpec = parse.GetValue(task);
            var (toSlurm, toKubernetes) = (parse.GetValue(slurm), parse.GetValue(kubernetes));
            var modes = new[] { (parse.GetValue(list), "--list"), (taskSpec is not null, "--task"), (toSlurm, "--slurm"),
                (toKubernetes, "--kubernetes") }
                .Where(m => m.Item1).Select(m => m.Item2).ToList();
            if (modes.Count > 1)
            {
                throw new ArgumentException($"{string.Join(" and ", modes)} cannot be combined; give one of them.");
            }
            var mode = modes.FirstOrDefault();
            if (mode is not null && parse.GetValue(output) is null)
            {
                throw new ArgumentException($"{mode} needs the results folder: add --out DIR (for workers on several machines, " +
                    $"a folder they all see).");
            }
            if (mode is not null && onlyRuns.Length > 0)
            {
                throw new ArgumentException($"--only cannot be combined with {mode}; tasks name run-seeds by index (see --list).");
            }
            if (mode == "--list")
            {
                // A status needs the folder only: without overrides typed again, the folder's own resolved study is listed.
                var listed = parse.GetValue(output)!;
                var recorded = File.Exists(Path.Combine(listed, Studies.Experiments.ResultsFolder.StudyRecord));
                return List(recorded && !overridden ? StudyFolder.Resolve(parsed, listed) : study, listed);
            }
            var folder = ResultsFolder(study, parse.GetValue(output), parse.GetValue(resume) || mode is not null);
            var tasks = taskSpec is null ? null : TaskSelection.Parse(taskSpec, StudyTask.All(study).Count);
            var runner = new StudyRunner(study, folder, only: onlyRuns.Length > 0 ? onlyRuns : null, tasks: tasks);
            // Checked before any data is read or file written: a different study must not reuse these results.
            runner.ClaimFolder();
            var studyCopy = Path.Combine(folder, Studies.Experiments.ResultsFolder.StudyCopy);
            if (!File.Exists(studyCopy))
            {
                AtomicFile.WriteText(studyCopy, studyText);
            }
            if (mode is "--slurm" or "--kubernetes")
            {
                var worker = new WorkerCommand(CurrentProgram(), Path.GetFullPath(studyFile), Path.GetFullPath(folder),
                    parse.GetValue(epochs), parse.GetValue(seeds), parse.GetValue(limit));
                var cpusPerTask = parse.GetValue(cpus) ?? 2;
                return toSlurm
                    ? Slurm(study, worker, new SlurmSettings(parse.GetValue(partition), cpusPerTask, parse.GetValue(maxParallel),
                        parse.GetValue(time)), parse.GetValue(submit))
                    : Kubernetes(study, worker, new KubernetesSettings(parse.GetValue(image) ?? "cnnlab:latest",
                        parse.GetValue(parallelism) ?? StudyTask.All(study).Count, parse.GetValue(claim) ?? "cnnlab-results", cpusPerTask));
            }
            TorchEngine.Configure(parse.GetValue(threads));
            var selected = study with
            {
                Runs = runner.SelectedRuns,
                Comparisons = study.Comparisons.Where(c =>
                    runner.SelectedRuns.Any(r => r.Name == c.First) && runner.SelectedRuns.Any(r => r.Name == c.Second)).ToList(),
            };
            Console.WriteLine(tasks is null
                ? $"Study \"{study.Name}\": {selected.Runs.Count} run(s) x {study.Seeds} seed(s) into {folder}"
                : $"Study \"{study.Name}\": task(s) {string.Join(",", tasks)} of {StudyTask.All(study).Count} into {folder}");
            var clock = Stopwatch.StartNew();
            using var data = StudyData.Open(study);
            var results = runner.Run(data.Splits);
            if (tasks is not null)
            {
                Console.WriteLine($"Task(s) {string.Join(",", tasks)} finished ({clock.Elapsed:hh\\:mm\\:ss}). Status: " +
                    $"cnnlab study {studyFile} --out {folder} --list; report: cnnlab study report {folder}");
                return 0;
            }
            StudyReport.Write(folder, selected, results, data.Splits, clock.Elapsed);
            Console.WriteLine($"Report: {Path.Combine(folder, Studies.Experiments.ResultsFolder.ReportHtml)} and " +
                              $"{Studies.Experiments.ResultsFolder.ReportMarkdown} ({clock.Elapsed:hh\\:mm\\:ss})");
            return 0;
        }));
        return command;
    }

    private static int List(StudyDefinition study, string folder)
    {
        if (Directory.Exists(folder))
        {
            // Reading only: a listing must not claim a folder, but a folder of another study is said so.
            new StudyRunner(study, folder).CheckFolder();
        }
        var statuses = Studies.Experiments.TaskStatus.Read(study, folder);
        var runWidth = Math.Max(3, statuses.Max(s => s.Task.Run.Name.Length));
        Console.WriteLine($"{"task",4}  {"run".PadRight(runWidth)}  {"seed",4}  {"epochs",6}  status");
        foreach (var s in statuses)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{s.Task.Index,4}  {s.Task.Run.Name.PadRight(runWidth)}  {s.Task.Seed,4}  {s.Task.Run.Training.Epochs,6}  " +
                $"{s.Describe()}"));
        }
        var counts = statuses.GroupBy(s => s.State).ToDictionary(g => g.Key, g => g.Count());
        int Count(TaskState state) => counts.GetValueOrDefault(state);
        Console.WriteLine($"{statuses.Count} task(s): {Count(TaskState.Finished)} finished, {Count(TaskState.InProgress)} in progress, " +
                          $"{Count(TaskState.Interrupted)} interrupted, {Count(TaskState.NotStarted)} not started.");
        return 0;
    }

    private static int Slurm(StudyDefinition study, WorkerCommand worker, SlurmSettings settings, bool submit)
    {
        var (studyScript, reportScript) = SlurmJob.Write(study, worker, settings);
        Console.WriteLine($"Wrote {studyScript} ({StudyTask.All(study).Count} array task(s)) and {reportScript}.");
        if (!submit)
        {
            Console.WriteLine($"Submit: jobid=$(sbatch --parsable {studyScript}) && sbatch --dependency=afterany:$jobid {reportScript}");
            return 0;
        }
        var arrayJob = SlurmJob.ParseJobId(Sbatch(studyScript));
        var reportJob = SlurmJob.ParseJobId(Sbatch($"--dependency=afterany:{arrayJob}", reportScript));
        Console.WriteLine($"Submitted array job {arrayJob} and report job {reportJob} (starts after the whole array).");
        Console.WriteLine($"Watch: squeue -j {arrayJob},{reportJob}; cnnlab study {worker.StudyFile} --out {worker.ResultsFolder} --list");
        return 0;
    }

    internal static string Sbatch(params string[] arguments)
    {
        var start = new ProcessStartInfo("sbatch") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("--parsable");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"sbatch could not be started ({e.Message}). Run --submit on a Slurm login node, " +
                $"or submit the scripts yourself.");
        }
        using (process)
        {
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            // sbatch's own words, its first line and at most 500 characters: one case printed a megabyte on one line.
            var said = error.Result.Trim().Split('\n')[0];
            return process.ExitCode == 0 ? output : throw new InvalidOperationException(
                $"sbatch {string.Join(' ', arguments)} failed with exit code {process.ExitCode}: " +
                $"{(said.Length > 500 ? said[..500] + "..." : said)}");
        }
    }

    private static int Kubernetes(StudyDefinition study, WorkerCommand worker, KubernetesSettings settings)
    {
        var (studyJob, reportJob) = KubernetesJob.Write(study, worker, settings);
        var name = KubernetesJob.Name(study);
        Console.WriteLine($"Wrote {studyJob} (an Indexed Job of {StudyTask.All(study).Count} completion(s)) and {reportJob}.");
        Console.WriteLine($"The PersistentVolumeClaim {settings.VolumeClaim} must hold this results folder and be mounted at " +
            $"{worker.ResultsFolder} (ReadWriteMany across nodes).");
        Console.WriteLine($"Run: kubectl apply -f {studyJob} && kubectl wait --for=condition=complete --timeout=24h job/{name} && " +
            $"kubectl apply -f {reportJob}");
        return 0;
    }

    /// <summary>The command that started this process, so scheduled tasks run
    /// the same CnnLab: the apphost, or dotnet and the assembly.</summary>
    internal static IReadOnlyList<string> CurrentProgram()
    {
        var process = Environment.ProcessPath ?? "cnnlab";
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? new[] { process, typeof(StudyCommand).Assembly.Location }
            : new[] { process };
    }

    internal static string ResultsFolder(StudyDefinition study, string? output, bool resume)
    {
        if (output is not null)
        {
            // Dotfiles (a committed .gitignore, a .nfs lock) are not results: such a folder starts fresh.
            if (!resume && Directory.Exists(output) &&
                Directory.EnumerateFileSystemEntries(output).Any(entry => !Path.GetFileName(entry).StartsWith('.')))
            {
                throw new ArgumentException($"--out {output} already holds results. Add --resume to continue them, " +
                    $"or choose another folder.");
            }
            return output;
        }
        var root = Path.Combine("runs", StudyRunner.Slug(study.Name));
        if (resume)
        {
            var latest = Directory.Exists(root) ? Directory.GetDirectories(root).Order(StringComparer.Ordinal).LastOrDefault() : null;
            return latest ?? throw new ArgumentException($"--resume found no earlier results under {root}. Run the study once without " +
                $"--resume, or pass --out.");
        }
        return Path.Combine(root, DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
    }
}

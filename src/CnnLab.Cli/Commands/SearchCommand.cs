using System.CommandLine;
using System.Diagnostics;
using CnnLab.Engine;
using CnnLab.Formats;
using CnnLab.Studies.Experiments;
using CnnLab.Studies.Experiments.Cluster;
using CnnLab.Studies.Reporting;
using CnnLab.Studies.Search;

namespace CnnLab.Cli.Commands;

/// <summary>
/// <c>cnnlab search FILE</c>: runs a search file's search (one worker, or <c>--parallel N</c> worker processes sharing
/// the folder), then the verdict (the best configurations and the baseline on fresh seeds) and the report.
/// <c>--worker</c> only works the journal (for Slurm array elements or pods); <c>cnnlab search report DIR</c> reports.
/// </summary>
internal static class SearchCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "The search file (YAML with `base` and `search`), e.g. " +
            "experiments/search-notebook.yaml." };
        var epochs = CommonOptions.OptionalInteger("--epochs", "Override the base run's epochs (the last rung).", maximum: 100_000);
        var limit = CommonOptions.OptionalInteger("--limit", "Keep only the first N training samples.");
        var output = new Option<string?>("--out") { Description = "Results folder (default: runs/<study>/<timestamp>)." };
        var resume = new Option<bool>("--resume") { Description = "Continue the latest search folder (or --out); a larger budget " +
            "extends it." };
        var threads = CommonOptions.Threads();
        var parallel = CommonOptions.OptionalInteger("--parallel", "Worker processes on this machine (each with cores / N threads).",
            maximum: 256);
        var slurm = new Option<bool>("--slurm") { Description = "Write --out/slurm/study.sbatch (a job array of --parallel workers, " +
            "default 2) and report.sbatch (the verdict and report, after the array)." };
        var submit = new Option<bool>("--submit") { Description = "Slurm: submit both scripts with sbatch and print the job ids." };
        var partition = new Option<string?>("--partition") { Description = "Slurm partition." };
        var cpus = CommonOptions.OptionalInteger("--cpus-per-task", "Slurm: CPUs per worker, passed on as --threads (default 2).",
            maximum: 4096);
        var time = new Option<string?>("--time") { Description = "Slurm time limit per worker (e.g. 02:00:00)." };
        var kubernetes = new Option<bool>("--kubernetes") { Description = "Write --out/kubernetes/study-job.yaml (an Indexed Job of " +
            "--parallel worker pods, default 2) and report-job.yaml (the verdict and report)." };
        var image = new Option<string?>("--image") { Description = "Kubernetes: the container image with cnnlab (default cnnlab:latest)." };
        var claim = new Option<string?>("--volume-claim") { Description = "Kubernetes: the PersistentVolumeClaim (ReadWriteMany) " +
            "holding --out (default cnnlab-results)." };
        var worker = new Option<bool>("--worker") { Description = "Only work the search's journal in --out, then exit (no verdict " +
            "or report): for several machines sharing --out." };
        // What --parallel starts beside itself once the search is over; not for users (the folder's verdict is decided by then).
        var verdictWorker = new Option<bool>("--verdict-worker") { Hidden = true };
        var command = new Command("search",
            "Search run keys from a study file's `base` (ASHA over epochs, TPE or random, seeds per trial), then train the best " +
            "configurations and the baseline on fresh seeds and say whether the best is better.")
        {
            file, epochs, limit, output, resume, threads, parallel, worker, verdictWorker, slurm, submit, partition, cpus, time, kubernetes,
            image, claim,
        };
        command.Subcommands.Add(SearchReportCommand.Create());
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var searchFile = parse.GetValue(file)!;
            var text = StudyParser.ReadFile(searchFile);
            var study = StudyParser.Parse(text, searchFile).WithOverrides(parse.GetValue(epochs), null, parse.GetValue(limit));
            if (study.Search is null)
            {
                throw new ArgumentException($"{searchFile} has no `search` section; run it with: cnnlab study {searchFile}");
            }
            var isWorker = parse.GetValue(worker) || parse.GetValue(verdictWorker);
            if (isWorker && parse.GetValue(output) is null)
            {
                throw new ArgumentException("--worker needs the search's folder: add --out DIR (a folder every worker sees).");
            }
            var folder = StudyCommand.ResultsFolder(study, parse.GetValue(output), parse.GetValue(resume) || isWorker);
            var runner = new SearchRunner(study, folder);
            runner.ClaimFolder();
            var copy = Path.Combine(folder, ResultsFolder.StudyCopy);
            if (!File.Exists(copy))
            {
                AtomicFile.WriteText(copy, text);
            }
            if (parse.GetValue(slurm))
            {
                var settings = new SlurmSettings(parse.GetValue(partition), parse.GetValue(cpus) ?? 2, null, parse.GetValue(time));
                return Slurm(study, searchFile, folder, parse.GetValue(epochs), parse.GetValue(limit), parse.GetValue(parallel) ?? 2,
                    settings, parse.GetValue(submit));
            }
            if (parse.GetValue(kubernetes))
            {
                var pods = parse.GetValue(parallel) ?? 2;
                var command = new WorkerCommand(StudyCommand.CurrentProgram(), Path.GetFullPath(searchFile), Path.GetFullPath(folder),
                    parse.GetValue(epochs), null, parse.GetValue(limit));
                var settings = new KubernetesSettings(parse.GetValue(image) ?? "cnnlab:latest", pods,
                    parse.GetValue(claim) ?? "cnnlab-results", parse.GetValue(cpus) ?? 2);
                var (job, reportJob) = KubernetesJob.Write(study, command, settings, pods,
                    w => w.SearchWorkerArguments(settings.CpusPerTask), w => w.SearchConcludeArguments(settings.CpusPerTask));
                Console.WriteLine($"Wrote {job} ({pods} worker pod(s) sharing the journal) and {reportJob} (the verdict and report).");
                return 0;
            }
            var workers = parse.GetValue(parallel) ?? 1;
            var threadCount = parse.GetValue(threads) ?? Math.Max(1, Environment.ProcessorCount / workers);
            if (parse.GetValue(verdictWorker))
            {
                TorchEngine.Configure(threadCount);
                var verdict = runner.VerdictStudy();
                using var verdictData = StudyData.Open(verdict);
                TrainVerdict(verdict, Path.Combine(folder, SearchReport.VerdictFolder), verdictData.Splits);
                return 0;
            }
            var rungs = string.Join("; ", runner.Planner.Brackets.Select(b => string.Join(", ", b.RungEpochs)));
            Console.WriteLine($"Search \"{study.Name}\": {study.Search.Trials} trial(s) at most, rungs of {rungs} epoch(s), " +
                $"{study.Search.Seeds} seed(s) each, into {folder}");
            var extra = (parse.GetValue(epochs) is { } e ? new[] { "--epochs", $"{e}" } : Array.Empty<string>())
                .Concat(parse.GetValue(limit) is { } l ? new[] { "--limit", $"{l}" } : Array.Empty<string>()).ToArray();
            if (workers > 1 && !isWorker)
            {
                WaitFor(StartWorkers(workers, "--worker", threadCount, searchFile, folder, extra), folder);
            }
            else
            {
                TorchEngine.Configure(threadCount);
                using var data = StudyData.Open(study);
                runner.Work(new TrialTrainer(data.Splits));
            }
            if (isWorker)
            {
                return 0;
            }
            if (workers > 1)
            {
                // The verdict's run-seeds are shared out as a study's are: each process takes the next one nobody holds.
                TorchEngine.Configure(threadCount);
                return Conclude(runner, folder,
                    () => StartWorkers(workers - 1, "--verdict-worker", threadCount, searchFile, folder, extra));
            }
            TorchEngine.Configure(parse.GetValue(threads));
            return Conclude(runner, folder);
        }));
        return command;
    }

    /// <summary>The verdict (trained into DIR/verdict, resumable like any study) and the search's report.</summary>
    internal static int Conclude(SearchRunner runner, string folder, Func<List<Process>>? helpers = null)
    {
        var verdict = runner.VerdictStudy();
        IReadOnlyList<RunResult> results = Array.Empty<RunResult>();
        var verdictFolder = Path.Combine(folder, SearchReport.VerdictFolder);
        using var data = StudyData.Open(verdict);
        if (verdict.Runs.Count > 1)
        {
            Console.WriteLine($"Verdict: the best {verdict.Runs.Count - 1} configuration(s) and the baseline, " +
                $"{verdict.Seeds} fresh seed(s) each, into {verdictFolder}");
            // Claimed before any helper starts, so that they find the folder already the verdict's.
            new StudyRunner(verdict, verdictFolder).ClaimFolder();
            var started = helpers?.Invoke() ?? new List<Process>();
            results = TrainVerdict(verdict, verdictFolder, data.Splits);
            WaitFor(started, folder);
            StudyReport.Write(verdictFolder, verdict, results, data.Splits, wallTime: null);
        }
        var report = SearchReport.Write(folder, runner, verdict, results);
        Console.WriteLine($"Report: {report}");
        return 0;
    }

    private static int Slurm(StudyDefinition study, string file, string folder, int? epochs, int? limit, int workers,
        SlurmSettings settings, bool submit)
    {
        var command = new WorkerCommand(StudyCommand.CurrentProgram(), Path.GetFullPath(file), Path.GetFullPath(folder), epochs, null,
            limit);
        var (array, report) = SlurmJob.Write(study.Name, workers, command, command.SearchWorkerArguments(settings.CpusPerTask),
            command.SearchConcludeArguments(settings.CpusPerTask), settings);
        Console.WriteLine($"Wrote {array} ({workers} worker(s) sharing the journal) and {report} (the verdict and report).");
        if (!submit)
        {
            Console.WriteLine($"Submit: jobid=$(sbatch --parsable {array}) && sbatch --dependency=afterany:$jobid {report}");
            return 0;
        }
        var arrayJob = SlurmJob.ParseJobId(StudyCommand.Sbatch(array));
        var reportJob = SlurmJob.ParseJobId(StudyCommand.Sbatch($"--dependency=afterany:{arrayJob}", report));
        Console.WriteLine($"Submitted array job {arrayJob} and report job {reportJob} (starts after the whole array).");
        return 0;
    }

    private static IReadOnlyList<RunResult> TrainVerdict(StudyDefinition verdict, string verdictFolder, CnnLab.Data.DataSplits data) =>
        new StudyRunner(verdict, verdictFolder).Run(data);

    private static List<Process> StartWorkers(int count, string role, int threads, string file, string folder, string[] extra)
    {
        var program = StudyCommand.CurrentProgram();
        return Enumerable.Range(0, count).Select(i =>
        {
            var start = new ProcessStartInfo(program[0]) { UseShellExecute = false };
            foreach (var argument in program.Skip(1).Concat(new[] { "search", file, "--out", folder, role, "--threads", $"{threads}" })
                .Concat(extra))
            {
                start.ArgumentList.Add(argument);
            }
            return Process.Start(start) ?? throw new InvalidOperationException($"worker {i + 1} could not be started");
        }).ToList();
    }

    private static void WaitFor(List<Process> processes, string folder)
    {
        foreach (var process in processes)
        {
            process.WaitForExit();
        }
        var failed = processes.Count(p => p.ExitCode != 0);
        if (failed > 0)
        {
            throw new InvalidOperationException($"{failed} of {processes.Count} worker(s) failed (their errors are above); the " +
                $"folder {folder} keeps what they finished: continue with --resume.");
        }
    }
}

using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CnnLab.Data;
using CnnLab.Engine;
using CnnLab.Experiments;
using CnnLab.Reporting;

namespace CnnLab.Cli.Commands;

/// <summary><c>cnnlab study FILE</c>: runs every run of a study file with every seed, then writes the report.</summary>
internal static class StudyCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "The study file (YAML), e.g. experiments/notebook.yaml." };
        var epochs = CommonOptions.OptionalInteger("--epochs", "Override every run's epochs.", maximum: 100_000);
        var seeds = CommonOptions.OptionalInteger("--seeds", "Override the number of seeds per run.", maximum: StudyLimits.MaxRunSeeds);
        var limit = CommonOptions.OptionalInteger("--limit", "Keep only the first N training samples.");
        var output = new Option<string?>("--out") { Description = "Results folder (default: runs/<study>/<timestamp>)." };
        var only = new Option<string[]>("--only") { Description = "Run only the runs with these names (repeatable).", AllowMultipleArgumentsPerToken = true };
        var resume = new Option<bool>("--resume") { Description = "Continue the latest results folder (or --out): finished runs are kept and skipped." };
        var threads = CommonOptions.Threads();
        var command = new Command("study", "Run a whole comparison from one study file, repeated over seeds, into a report (report.md, report.html).")
        {
            file, epochs, seeds, limit, output, only, resume, threads,
        };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            TorchEngine.Configure(parse.GetValue(threads));
            var study = StudyParser.ParseFile(parse.GetValue(file)!);
            study = Override(study, parse.GetValue(epochs), parse.GetValue(seeds), parse.GetValue(limit));
            var onlyRuns = parse.GetValue(only) ?? Array.Empty<string>();
            var folder = ResultsFolder(study, parse.GetValue(output), parse.GetValue(resume));
            var runner = new StudyRunner(study, folder, only: onlyRuns.Length > 0 ? onlyRuns : null);
            // Checked before any data is read or file written: a different study must not reuse these results.
            runner.ClaimFolder();
            var selected = study with
            {
                Runs = runner.SelectedRuns,
                Comparisons = study.Comparisons.Where(c => runner.SelectedRuns.Any(r => r.Name == c.First) && runner.SelectedRuns.Any(r => r.Name == c.Second)).ToList(),
            };
            Console.WriteLine($"Study \"{study.Name}\": {selected.Runs.Count} run(s) x {study.Seeds} seed(s) into {folder}");
            var clock = Stopwatch.StartNew();
            using var data = DatasetSource.Open(study.Dataset.Name, study.Dataset.DataDir, shuffle: study.Dataset.Shuffle);
            using var limited = study.Dataset.Limit is int n ? data.Train.Take(n) : null;
            var splits = limited is null ? data : data with { Train = limited };
            if (study.Dataset.Standardize)
            {
                // Statistics of the training images the runs actually see, applied to them and to the test split.
                splits.Standardize();
            }
            var studyFile = Path.Combine(folder, "study.yaml");
            if (!File.Exists(studyFile))
            {
                AtomicFile.WriteText(studyFile, File.ReadAllText(parse.GetValue(file)!));
            }
            var results = runner.Run(splits);
            StudyReport.Write(folder, selected, results, splits, clock.Elapsed);
            Console.WriteLine($"Report: {Path.Combine(folder, "report.html")} and report.md ({clock.Elapsed:hh\\:mm\\:ss})");
            return 0;
        }));
        return command;
    }

    private static StudyDefinition Override(StudyDefinition study, int? epochs, int? seeds, int? limit)
    {
        var runs = study.Runs.ToList();
        if (epochs is int e)
        {
            runs = runs.Select(r => r with { Training = r.Training with { Epochs = e } }).ToList();
        }
        return study with
        {
            Runs = runs,
            Seeds = seeds ?? study.Seeds,
            Dataset = limit is int n ? study.Dataset with { Limit = n } : study.Dataset,
        };
    }

    private static string ResultsFolder(StudyDefinition study, string? output, bool resume)
    {
        if (output is not null)
        {
            if (!resume && Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any())
            {
                throw new ArgumentException($"--out {output} already holds results. Add --resume to continue them, or choose another folder.");
            }
            return output;
        }
        var root = Path.Combine("runs", StudyRunner.Slug(study.Name));
        if (resume)
        {
            var latest = Directory.Exists(root) ? Directory.GetDirectories(root).Order(StringComparer.Ordinal).LastOrDefault() : null;
            return latest ?? throw new ArgumentException($"--resume found no earlier results under {root}. Run the study once without --resume, or pass --out.");
        }
        return Path.Combine(root, DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
    }
}

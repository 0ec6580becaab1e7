using System.Text.Json;
using CnnLab.Tests.Data;
using SkiaSharp;

namespace CnnLab.Tests.Cli;

/// <summary>
/// A study split into tasks: workers train chosen run-seeds into one folder, <c>--list</c> says where each stands,
/// <c>study report</c> reports what finished and names what did not.
/// </summary>
public sealed class StudyTaskCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cnnlab-tasks-").FullName;
    private readonly string _study;

    public StudyTaskCliTests()
    {
        var random = new Random(3);
        for (var i = 0; i < 24; i++)
        {
            var shade = (byte)random.Next(0, 80);
            Fixtures.Image(Path.Combine(_root, "data", "dark", $"{i}.png"), 8, 8, new SKColor(shade, shade, shade));
            Fixtures.Image(Path.Combine(_root, "data", "light", $"{i}.png"), 8, 8,
                new SKColor((byte)(175 + shade), (byte)(175 + shade), (byte)(175 + shade)));
        }
        _study = Path.Combine(_root, "study.yaml");
        File.WriteAllText(_study, $$$"""
            name: tasks
            dataset: {{{Path.Combine(_root, "data")}}}
            seeds: 2
            training: {epochs: 2, batch_size: 8, validation_split: 0.25}
            runs:
              - {name: small, model: {blocks: [[4]], dense: [8]}}
              - {name: wider, model: {blocks: [[8]], dense: [8]}}
            comparisons:
              - {a: small, b: wider}
            """);
    }

    public void Dispose() => Directory.Delete(_root, true);

    [Fact]
    public void Workers_train_their_tasks_into_one_folder_and_the_report_names_what_is_missing()
    {
        var shared = Path.Combine(_root, "shared");
        var (code, output, error) = CliRunner.Run("study", _study, "--out", shared, "--task", "1,2", "--threads", "1");

        Assert.True(code == 0, error);
        Assert.Contains("Study \"tasks\": task(s) 1,2 of 4 into", output);
        Assert.Equal(new[] { "small/seed-2", "wider/seed-1" }, Finished(shared));
        Assert.False(File.Exists(Path.Combine(shared, "report.md")));
        var task = JsonDocument.Parse(File.ReadAllText(Path.Combine(shared, "wider", "seed-1", "task.json"))).RootElement;
        Assert.Equal((Environment.MachineName, 1), (task.GetProperty("host").GetString(), task.GetProperty("threads").GetInt32()));
        Assert.True(task.GetProperty("finished").GetDateTime() >= task.GetProperty("started").GetDateTime());

        // A task killed after its first epoch leaves a checkpoint and no holder.
        Directory.CreateDirectory(Path.Combine(shared, "wider", "seed-2", "checkpoint"));
        File.WriteAllText(Path.Combine(shared, "wider", "seed-2", "checkpoint", "checkpoint.json"), "{\"Epoch\": 1}");
        var (listCode, list, _) = CliRunner.Run("study", _study, "--out", shared, "--list");

        Assert.Equal(0, listCode);
        Assert.Equal("""
            task  run    seed  epochs  status
               0  small     1       2  not started
               1  small     2       2  finished
               2  wider     1       2  finished
               3  wider     2       2  interrupted after epoch 1/2; continues from there
            4 task(s): 2 finished, 0 in progress, 1 interrupted, 1 not started.

            """, list);

        var (reportCode, reportOutput, reportError) = CliRunner.Run("study", "report", shared);

        Assert.True(reportCode == 0, reportError);
        Assert.Equal($"Report of 2 of 4 task(s): {Path.Combine(shared, "report.html")} and report.md; 2 task(s) missing, " +
            $"listed in the report.\n", reportOutput);
        var report = File.ReadAllText(Path.Combine(shared, "report.md"));
        Assert.Contains("## Missing tasks\n\n2 of 4 task(s) have no results yet; the figures above leave them out.", report);
        Assert.Contains("| 0 | small | 1 | not started |", report);
        Assert.Contains("| 3 | wider | 2 | interrupted after epoch 1/2; continues from there |", report);
        Assert.Contains("of training summed over 2 task(s)", report);
        Assert.Contains("## Provenance", report);
        Assert.Contains("<h2 id=\"missing-tasks\">Missing tasks</h2>", File.ReadAllText(Path.Combine(shared, "report.html")));
    }

    [Fact]
    public void The_list_of_a_folder_made_with_overrides_needs_the_folder_only()
    {
        var shared = Path.Combine(_root, "overridden");
        var (code, _, error) = CliRunner.Run("study", _study, "--out", shared, "--task", "0", "--epochs", "1", "--seeds", "1",
            "--threads", "1");
        Assert.True(code == 0, error);

        var (listCode, list, listError) = CliRunner.Run("study", _study, "--out", shared, "--list");

        Assert.True(listCode == 0, listError);
        Assert.Equal("""
            task  run    seed  epochs  status
               0  small     1       1  finished
               1  wider     1       1  not started
            2 task(s): 1 finished, 0 in progress, 0 interrupted, 1 not started.

            """, list);
        var other = Path.Combine(_root, "other.yaml");
        File.WriteAllText(other, File.ReadAllText(_study).Replace("batch_size: 8", "batch_size: 4", StringComparison.Ordinal));
        var (otherCode, _, otherError) = CliRunner.Run("study", other, "--out", shared, "--list");
        Assert.Equal(1, otherCode);
        Assert.StartsWith($"error: The results in {shared} belong to a different study: the study.Runs[0].Training.BatchSize is 8 there " +
            "and 4 here.", otherError);
    }

    [Fact]
    public void The_scheduler_index_picks_the_task_and_a_worker_with_another_study_is_refused()
    {
        var shared = Path.Combine(_root, "env");
        var environment = new Dictionary<string, string> { ["SLURM_ARRAY_TASK_ID"] = "3", ["JOB_COMPLETION_INDEX"] = "0" };
        var (code, _, error) = CliRunner.RunWithEnvironment(environment, "study", _study, "--out", shared, "--task", "env", "--threads",
            "1");

        Assert.True(code == 0, error);
        Assert.Equal(new[] { "wider/seed-2" }, Finished(shared));

        var (otherCode, _, otherError) = CliRunner.Run("study", _study, "--out", shared, "--task", "0", "--epochs", "5");

        Assert.Equal(1, otherCode);
        Assert.Equal($"error: The results in {shared} belong to a different study: the study.Runs[0].Training.Epochs is 2 there " +
                     $"and 5 here. " +
                     "Resume with the same study file and options, or use a new --out folder.\n", otherError);
        Assert.Equal(new[] { "wider/seed-2" }, Finished(shared));
    }

    [Theory]
    [InlineData("--list",
        "error: --list needs the results folder: add --out DIR (for workers on several machines, a folder they all see).\n")]
    [InlineData("--task 0 --out X --only small",
        "error: --only cannot be combined with --task; tasks name run-seeds by index (see --list).\n")]
    [InlineData("--task 0 --slurm --out X", "error: --task and --slurm cannot be combined; give one of them.\n")]
    [InlineData("--task 4 --out X", "error: --task 4: index 4 is out of range; this study has 4 task(s), 0 to 3 (see --list).\n")]
    public void Bad_combinations_are_one_line(string arguments, string message)
    {
        var (code, _, error) = CliRunner.Run(new[] { "study", _study }.Concat(arguments.Split(' ')).ToArray());

        Assert.Equal((1, message), (code, error));
    }

    [Fact]
    public void Slurm_scripts_are_written_for_the_claimed_folder()
    {
        var folder = Path.Combine(_root, "slurm");
        var (code, output, error) = CliRunner.Run("study", _study, "--out", folder, "--slurm", "--max-parallel", "2", "--cpus-per-task",
            "1");

        Assert.True(code == 0, error);
        Assert.Contains($"Wrote {Path.Combine(folder, "slurm", "study.sbatch")} (4 array task(s))", output);
        Assert.Contains("#SBATCH --array=0-3%2\n", File.ReadAllText(Path.Combine(folder, "slurm", "study.sbatch")));
        Assert.True(File.Exists(Path.Combine(folder, "study.json")));
        Assert.Equal(File.ReadAllText(_study), File.ReadAllText(Path.Combine(folder, "study.yaml")));
    }

    private static string[] Finished(string folder) => Directory.GetFiles(folder, "metrics.json", SearchOption.AllDirectories)
        .Select(f => Path.GetRelativePath(folder, Path.GetDirectoryName(f)!).Replace('\\', '/')).Order(StringComparer.Ordinal).ToArray();
}

using System.Diagnostics;
using CnnLab.Data;
using CnnLab.Studies.Experiments;

namespace CnnLab.Tests.Studies.Experiments;

/// <summary>A results folder belongs to one resolved study, and each run and seed in it to one process at a time.</summary>
// Apart from the parallel test classes: once, in a full run, its lock holder's kill did not free the run while classes
// that start processes (search workers, the browser test's study) ran beside it.
[Collection(CnnLab.Tests.Engine.EngineCollection.Name)]
public sealed class StudyFolderTests : IDisposable
{
    private const string Study = """
        name: folder
        training: {epochs: 1, batch_size: 16, validation_split: 0}
        runs:
          - {name: one, model: {blocks: [[4]], dense: []}}
          - {name: two, model: {blocks: [[2]], dense: []}}
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("cnnlab-folder-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    private static DataSplits Bars()
    {
        var (x, y) = TestSupport.Bars(32, seed: 1);
        var (testX, testY) = TestSupport.Bars(16, seed: 2);
        return new DataSplits("bars", new Dataset(x, y, new[] { "horizontal", "vertical" }),
            new Dataset(testX, testY, new[] { "horizontal", "vertical" }), "generated");
    }

    [Fact]
    public void A_resume_with_other_settings_is_refused_naming_the_first_difference_and_nothing_is_touched()
    {
        var study = StudyParser.Parse(Study);
        using var data = Bars();
        new StudyRunner(study, _folder, TextWriter.Null).Run(data);
        var metrics = Path.Combine(_folder, "one", "seed-1", "metrics.json");
        var before = File.ReadAllText(metrics);
        var changed = study with { Runs = study.Runs.Select(r => r with { Training = r.Training with { Epochs = 20 } }).ToList(),
            Dataset = study.Dataset with { Limit = 60000 } };

        var message = Assert.Throws<StudyFileException>(() => new StudyRunner(changed, _folder, TextWriter.Null).Run(data)).Message;

        Assert.Equal($"The results in {_folder} belong to a different study: the study.Dataset.Limit is null there and 60000 here. " +
                     "Resume with the same study file and options, or use a new `outputFolder`.", message);
        Assert.Equal(before, File.ReadAllText(metrics));
        var epochsOnly = study with { Runs = study.Runs.Select(r => r with { Training = r.Training with { Epochs = 20 } }).ToList() };
        Assert.Equal($"The results in {_folder} belong to a different study: the study.Runs[0].Training.Epochs is 1 there and 20 here. " +
                     "Resume with the same study file and options, or use a new `outputFolder`.",
            Assert.Throws<StudyFileException>(() => new StudyRunner(epochsOnly, _folder, TextWriter.Null).ClaimFolder()).Message);
    }

    [Fact]
    public void The_same_study_resumes_and_reuses_its_results()
    {
        var study = StudyParser.Parse(Study);
        using var data = Bars();
        var first = new StudyRunner(study, _folder, TextWriter.Null).Run(data);
        var log = new StringWriter();

        var second = new StudyRunner(StudyParser.Parse(Study), _folder, log).Run(data);

        Assert.Equal(first.Select(r => r.TestAccuracy), second.Select(r => r.TestAccuracy));
        Assert.Contains("[run 1/2] one, seed 1: already finished, skipped", log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_locked_by_another_process_is_skipped_then_waited_for_and_trained_once_the_lock_is_gone()
    {
        var study = StudyParser.Parse(Study);
        using var data = Bars();
        var runner = new StudyRunner(study, _folder, TextWriter.Null);
        var lockedFolder = runner.RunFolder("one", 1);
        Directory.CreateDirectory(lockedFolder);
        // A real second process holds the OS lock: util-linux flock(1) takes the same flock .NET does.
        using var holder =
            Process.Start(new ProcessStartInfo("flock", new[] { "-x", "-o", Path.Combine(lockedFolder, "run.lock"), "sleep", "600" }))!;
        try
        {
            WaitUntil(() => RunLockIsHeld(lockedFolder));
            var log = new SynchronizedLog();
            StudyRunner.LockPollInterval = TimeSpan.FromMilliseconds(100);
            var running = Task.Run(() => new StudyRunner(study, _folder, log).Run(data));

            WaitUntil(() => log.Text.Contains("waiting for", StringComparison.Ordinal));
            Assert.Contains("[run 1/2] one, seed 1: in progress in another process; skipped for now", log.Text, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(runner.RunFolder("two", 1), "metrics.json")), "the unlocked run trains meanwhile");
            Assert.False(File.Exists(Path.Combine(lockedFolder, "metrics.json")));

            // kill -9: the operating system drops the lock with the process.
            holder.Kill(entireProcessTree: true);
            var results = await running.WaitAsync(TimeSpan.FromMinutes(5));

            Assert.Equal(new[] { "one", "two" }, results.Select(r => r.Run));
            Assert.True(File.Exists(Path.Combine(lockedFolder, "metrics.json")));
        }
        finally
        {
            if (!holder.HasExited)
            {
                holder.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public void A_damaged_metrics_file_is_an_error_naming_it()
    {
        var path = Path.Combine(_folder, "metrics.json");
        File.WriteAllText(path, "{\"Run\": \"one\", \"Seed\": 1, \"Par");

        var message = Assert.Throws<InvalidDataException>(() => StudyRunner.ReadResult(path)).Message;

        Assert.StartsWith($"{path} is not a valid metrics file (", message);
        Assert.EndsWith("). Delete it to train that run again with `resume`.", message);
    }

    private static bool RunLockIsHeld(string folder)
    {
        try
        {
            using var probe = new FileStream(Path.Combine(folder, "run.lock"), FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (FileNotFoundException)
        {
            // flock(1) has not started yet (a loaded machine): no file, no lock. Taking this for "held" let the runner
            // lock the run itself, train it at once and never wait, which timed this test out twice under load.
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static void WaitUntil(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            // A bound for a hang, not a speed check: on a loaded 2-core machine the unlocked run alone took over a minute.
            if (clock.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException("condition not reached in five minutes");
            }
            Thread.Sleep(20);
        }
    }

    private sealed class SynchronizedLog : StringWriter
    {
        private readonly object _gate = new();

        public string Text
        {
            get
            {
                lock (_gate)
                {
                    return ToString();
                }
            }
        }

        public override void WriteLine(string? value)
        {
            lock (_gate)
            {
                base.WriteLine(value);
            }
        }

        public override void Write(char value)
        {
            lock (_gate)
            {
                base.Write(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_gate)
            {
                base.Write(value);
            }
        }
    }
}

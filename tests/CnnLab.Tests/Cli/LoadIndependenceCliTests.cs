using System.Diagnostics;
using System.Text.Json;
using CnnLab.Tests.Data;
using SkiaSharp;

namespace CnnLab.Tests.Cli;

/// <summary>
/// The lab's promise (issue 23, item 8; issue 24): the same command and seed give bit-identical results whatever else
/// runs on the machine, by default, with all cores' threads, in a whole run and in one killed and resumed. The load
/// is two processes spinning on the 2 cores for the whole run; before, the thread count followed them and the sums
/// came out differently. With CNNLAB_ADAPT_THREADS=1 the count still follows them, and the results say so.
/// </summary>
public sealed class LoadIndependenceCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cnnlab-load-").FullName;
    private readonly string _study;

    public LoadIndependenceCliTests()
    {
        var random = new Random(5);
        for (var i = 0; i < 150; i++)
        {
            var shade = (byte)random.Next(0, 120);
            Fixtures.Image(Path.Combine(_root, "data", "dark", $"{i}.png"), 16, 16, new SKColor(shade, shade, shade));
            Fixtures.Image(Path.Combine(_root, "data", "light", $"{i}.png"), 16, 16,
                new SKColor((byte)(135 + shade), (byte)(135 + shade), (byte)(135 + shade)));
        }
        _study = Path.Combine(_root, "study.yaml");
        File.WriteAllText(_study, $"""
            name: load check
            dataset: {Path.Combine(_root, "data")}
            seeds: 1
            training:
              epochs: 6
              batch_size: 4
              validation_split: 0.2
            runs:
              - name: net
                model:
                  blocks: [[16, 16], [32]]
                  dense: [32]
            """);
    }

    public void Dispose() => Directory.Delete(_root, true);

    [Fact]
    public void A_study_run_beside_two_spinning_processes_and_one_killed_and_resumed_there_equal_the_quiet_run()
    {
        var quiet = Path.Combine(_root, "quiet");
        var (code, _, error) = CliRunner.Run("study", _study, "--out", quiet, "--threads", "2");
        Assert.True(code == 0, error);

        var loaded = Path.Combine(_root, "loaded");
        var resumed = Path.Combine(_root, "resumed");
        using (Spinners())
        {
            (code, _, error) = CliRunner.Run("study", _study, "--out", loaded, "--threads", "2");
            Assert.True(code == 0, error);
            KillDuringEpochs(resumed);
            (code, _, error) = CliRunner.Run("study", _study, "--out", resumed, "--resume", "--threads", "2");
            Assert.True(code == 0, error);
        }

        var expected = Metrics(quiet);
        foreach (var other in new[] { loaded, resumed })
        {
            var actual = Metrics(other);
            foreach (var key in new[] { "Loss", "ValLoss", "Accuracy", "ValAccuracy", "TestLoss", "TestAccuracy" })
            {
                Assert.Equal(expected.GetProperty(key).ToString(), actual.GetProperty(key).ToString());
            }
            Assert.Equal(JsonValueKind.Null, actual.GetProperty("Threads").ValueKind);
        }
    }

    [Fact]
    public void With_adaptive_threads_the_threads_each_epoch_ran_with_are_recorded_and_the_report_says_so()
    {
        var folder = Path.Combine(_root, "adaptive");
        using (Spinners())
        {
            var (code, _, error) = CliRunner.RunWithEnvironment(new Dictionary<string, string> { ["CNNLAB_ADAPT_THREADS"] = "1" },
                "study", _study, "--out", folder, "--threads", "2");
            Assert.True(code == 0, error);
        }

        var threads = Metrics(folder).GetProperty("Threads").EnumerateArray().Select(t => t.GetDouble()).ToList();
        Assert.Equal(6, threads.Count);
        Assert.Contains(1.0, threads);
        Assert.Contains("- threads lowered under load (CNNLAB_ADAPT_THREADS=1), fewest per epoch: net seed 1 (",
            File.ReadAllText(Path.Combine(folder, "report.md")));
    }

    /// <summary>Two processes that keep both cores busy until disposed.</summary>
    private static IDisposable Spinners()
    {
        var spinners = Enumerable.Range(0, 2).Select(_ => Process.Start("/bin/sh", new[] { "-c", "while :; do :; done" })).ToList();
        Thread.Sleep(1000);
        return new Stop(spinners);
    }

    /// <summary>Starts the study and kills it (SIGKILL) once it has saved an epoch checkpoint.</summary>
    private void KillDuringEpochs(string folder)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "CnnLab.Cli.dll"), "study", _study, "--out", folder,
                     "--threads", "2" })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var checkpoint = Path.Combine(folder, "net", "seed-1", "checkpoint");
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(3) && !process.HasExited &&
               !(Directory.Exists(checkpoint) && Directory.EnumerateFileSystemEntries(checkpoint).Any()))
        {
            Thread.Sleep(20);
        }
        Thread.Sleep(300);
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
        Assert.False(File.Exists(Path.Combine(folder, "net", "seed-1", "metrics.json")), "the study finished before it was killed");
    }

    private static JsonElement Metrics(string folder) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "net", "seed-1", "metrics.json"))).RootElement;

    private sealed class Stop(List<Process> processes) : IDisposable
    {
        public void Dispose()
        {
            foreach (var process in processes)
            {
                process.Kill();
                process.WaitForExit();
                process.Dispose();
            }
        }
    }
}

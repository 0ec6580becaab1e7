using System.Diagnostics;
using System.Text.Json;
using CnnLab.Tests.Data;
using SkiaSharp;

namespace CnnLab.Tests.Cli;

/// <summary>A study killed with SIGKILL mid-run and resumed ends with the same results as one never interrupted.</summary>
public sealed class StudyResumeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cnnlab-study-").FullName;

    public StudyResumeTests()
    {
        var random = new Random(2);
        for (var i = 0; i < 40; i++)
        {
            var shade = (byte)random.Next(0, 80);
            Fixtures.Image(Path.Combine(_root, "data", "dark", $"{i}.png"), 8, 8, new SKColor(shade, shade, shade));
            Fixtures.Image(Path.Combine(_root, "data", "light", $"{i}.png"), 8, 8,
                new SKColor((byte)(175 + shade), (byte)(175 + shade), (byte)(175 + shade)));
        }
        File.WriteAllText(Path.Combine(_root, "study.yaml"), $"""
            name: resume check
            dataset: {Path.Combine(_root, "data")}
            seeds: 2
            training:
              epochs: 3
              batch_size: 8
              validation_split: 0.25
            runs:
              - name: small
                model:
                  blocks: [[4]]
                  dense: [8]
              - name: wider
                model:
                  blocks: [[8]]
                  dense: [8]
            comparisons:
              - a: small
                b: wider
            """);
    }

    public void Dispose() => Directory.Delete(_root, true);

    [Fact]
    public void Resume_after_kill_9_gives_the_results_of_an_uninterrupted_run()
    {
        var whole = Path.Combine(_root, "whole");
        var killed = Path.Combine(_root, "killed");
        var study = Path.Combine(_root, "study.yaml");

        var (code, output, error) = CliRunner.Run("study", study, "--out", whole, "--threads", "1");
        Assert.True(code == 0, error);
        Assert.Contains("[run 4/4] wider, seed 2, epoch 3/3", output);

        KillAfterFirstResult(study, killed);
        var finishedBefore = Directory.GetFiles(killed, "metrics.json", SearchOption.AllDirectories).Length;
        Assert.InRange(finishedBefore, 1, 3);
        var (resumedCode, resumedOutput, resumedError) = CliRunner.Run("study", study, "--out", killed, "--resume", "--threads", "1");

        Assert.True(resumedCode == 0, resumedError);
        Assert.Contains("[run 1/4] small, seed 1: already finished, skipped", resumedOutput);
        foreach (var run in new[] { "small", "wider" })
        {
            foreach (var seed in new[] { 1, 2 })
            {
                var expected = Metrics(whole, run, seed);
                var actual = Metrics(killed, run, seed);
                Assert.Equal(expected.GetProperty("TestAccuracy").GetDouble(), actual.GetProperty("TestAccuracy").GetDouble());
                Assert.Equal(expected.GetProperty("Loss").ToString(), actual.GetProperty("Loss").ToString());
                Assert.Equal(expected.GetProperty("ValAccuracy").ToString(), actual.GetProperty("ValAccuracy").ToString());
            }
        }
        Assert.True(File.Exists(Path.Combine(killed, "report.html")));
        var (againCode, _, againError) = CliRunner.Run("study", study, "--out", killed);
        Assert.Equal(1, againCode);
        Assert.Equal($"error: --out {killed} already holds results. Add --resume to continue them, or choose another folder.\n",
            againError);
        Assert.Contains("small vs wider", File.ReadAllText(Path.Combine(killed, "report.md")));
    }

    [Fact]
    public void A_folder_holding_only_dotfiles_counts_as_empty()
    {
        var study = CnnLab.Studies.Experiments.StudyParser.ParseFile(Path.Combine(_root, "study.yaml"));
        var folder = Path.Combine(_root, "committed");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, ".gitignore"), "models/\n");

        Assert.Equal(folder, CnnLab.Cli.Commands.StudyCommand.ResultsFolder(study, folder, resume: false));
        File.WriteAllText(Path.Combine(folder, "study.yaml"), "name: x\n");
        var error = Assert.Throws<ArgumentException>(() => CnnLab.Cli.Commands.StudyCommand.ResultsFolder(study, folder, resume: false));
        Assert.Equal($"--out {folder} already holds results. Add --resume to continue them, or choose another folder.", error.Message);
    }

    private static void KillAfterFirstResult(string study, string folder)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "CnnLab.Cli.dll"), "study", study, "--out", folder,
            "--threads", "1" })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(2) && !process.HasExited &&
               !(Directory.Exists(folder) && Directory.GetFiles(folder, "metrics.json", SearchOption.AllDirectories).Length > 0))
        {
            Thread.Sleep(20);
        }
        process.Kill(entireProcessTree: true); // SIGKILL: no chance to clean up
        process.WaitForExit();
    }

    private static JsonElement Metrics(string folder, string run, int seed) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, run, $"seed-{seed}", "metrics.json"))).RootElement;
}

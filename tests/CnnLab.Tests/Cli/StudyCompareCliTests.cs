using System.Globalization;
using CnnLab.Studies.Experiments;
using CnnLab.Tests.Data;

namespace CnnLab.Tests.Cli;

/// <summary>`cnnlab study compare A B`: two results folders of the same runs, paired by seed, with what differs in how.</summary>
public sealed class StudyCompareCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cnnlab-compare-").FullName;

    public void Dispose() => Directory.Delete(_root, true);

    [Fact]
    public void Two_folders_of_one_study_are_compared_run_by_run_paired_by_seed_with_the_thread_counts_that_differ()
    {
        Fixtures.TwoShadeFolder(Path.Combine(_root, "data"), perClass: 30, size: 8, seed: 3);
        var file = Path.Combine(_root, "study.yaml");
        File.WriteAllText(file, $"""
            name: compare check
            dataset: {Path.Combine(_root, "data")}
            seeds: 2
            training: {"{"}epochs: 2, batch_size: 8, validation_split: 0.25{"}"}
            runs:
              - name: small
                model: {"{"}blocks: [[4]], dense: [8]{"}"}
                learning_rate: 0.03
              - name: wider
                model: {"{"}blocks: [[8]], dense: [8]{"}"}
            """);
        var (one, two) = (Path.Combine(_root, "one"), Path.Combine(_root, "two"));
        Assert.Equal(0, CliRunner.Run("study", file, "--out", one, "--threads", "1").Code);
        Assert.Equal(0, CliRunner.Run("study", file, "--out", two, "--threads", "2", "--only", "small").Code);

        var result = CliRunner.Run("study", "compare", one, two);
        var unknown = CliRunner.Run("study", "compare", one, two, "--metric", "f1");

        Assert.True(result.Code == 0, result.Error);
        var a = Accuracies(one);
        var b = Accuracies(two);
        var differences = new[] { b[1] - a[1], b[2] - a[2] };
        var mean = differences.Average();
        var lines = result.Output.Split('\n');
        Assert.Equal("test_accuracy, B = two against A = one, paired by seed:", lines[0]);
        Assert.Equal("| run | A: one | B: two | B - A (points) | 95% CI | paired p | pairs |", lines[2]);
        Assert.StartsWith(string.Create(CultureInfo.InvariantCulture,
            $"| small | {(a[1] + a[2]) / 2:F4} ± "), lines[4], StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $" | {100 * mean:+0.00;-0.00} | "), lines[4], StringComparison.Ordinal);
        Assert.EndsWith(" | 2 |", lines[4], StringComparison.Ordinal);
        Assert.StartsWith("| all runs, pooled |  |  | ", lines[5], StringComparison.Ordinal);
        Assert.Contains("- \"small\": intra-op threads differ (seed 1: 1 and 2; seed 2: 1 and 2), so the arithmetic differs too.",
            result.Output, StringComparison.Ordinal);
        Assert.Contains("- \"wider\" has no finished run-seed in the second folder.", result.Output, StringComparison.Ordinal);
        Assert.Equal(1, unknown.Code);
        Assert.Equal("error: Unknown --metric `f1`; use test_accuracy, test_loss, val_accuracy, best_val_accuracy, seconds_per_epoch.\n",
            unknown.Error);
    }

    private static Dictionary<int, double> Accuracies(string folder) => new[] { 1, 2 }.ToDictionary(seed => seed, seed =>
        ResultsFolder.ReadMetrics(Path.Combine(ResultsFolder.RunFolder(folder, "small", seed), ResultsFolder.Metrics)).TestAccuracy);
}

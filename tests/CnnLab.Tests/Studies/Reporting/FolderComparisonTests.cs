using CnnLab.Studies.Experiments;
using CnnLab.Studies.Reporting;

namespace CnnLab.Tests.Studies.Reporting;

/// <summary>Two folders of the same runs, paired by seed: B - A, its interval and test, and what cannot be paired.</summary>
public sealed class FolderComparisonTests
{
    private static ComparedResult Result(string run, int seed, double accuracy, string? threads = "1", string? precision = null,
        int epochs = 20) =>
        new(new RunResult(run, seed, 100, epochs, 1, 0.1, 0.9, 0.2, 0.9, 0.9, epochs, 0.3, accuracy, new[] { 0.9 }, new[] { 0.9 },
            new[] { 0.1 }, new[] { 0.2 }, new[] { new[] { 1L } }, Precision: precision), threads);

    [Fact]
    public void The_difference_is_b_minus_a_paired_by_seed_with_the_t_interval_and_p_value()
    {
        var a = new[] { Result("m3", 1, 0.90), Result("m3", 2, 0.91), Result("m3", 3, 0.92) };
        var b = new[] { Result("m3", 1, 0.91, precision: "mixed_bfloat16"), Result("m3", 2, 0.93, precision: "mixed_bfloat16"),
            Result("m3", 3, 0.92, precision: "mixed_bfloat16") };

        var comparison = FolderComparison.Compare(a, b, "test_accuracy");
        var text = comparison.ToMarkdown("float32", "bf16");

        // Differences +1, +2, 0 points: mean +1, sd 1, t = 1.732 with 2 degrees of freedom, t(0.975, 2) = 4.303.
        Assert.Equal(0.01, comparison.Runs[0].Test.MeanDifference, 12);
        Assert.Equal(0.225, comparison.Runs[0].Test.PValue, 3);
        Assert.Contains("| m3 | 0.9100 ± 0.0100 (3) | 0.9200 ± 0.0100 (3) | +1.00 | [-1.48, +3.48] | 0.225 | 3 |", text,
            StringComparison.Ordinal);
        Assert.Contains("| all runs, pooled |  |  | +1.00 | [-1.48, +3.48] | 0.225 | 3 |", text, StringComparison.Ordinal);
        Assert.Contains("- Every run was computed in float32 in the first folder and mixed_bfloat16 in the second.", text,
            StringComparison.Ordinal);
        Assert.DoesNotContain("threads", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Unpaired_seeds_runs_on_one_side_diverged_values_and_different_trainings_are_named_not_hidden()
    {
        var a = new[] { Result("m3", 1, 0.90), Result("m3", 2, 0.91, threads: null), Result("m3", 4, 0.91), Result("only a", 1, 0.5),
            Result("m2|bn", 1, 0.90), Result("m2|bn", 2, double.NaN) };
        var b = new[] { Result("m3", 1, 0.90, threads: "2"), Result("m3", 2, 0.92), Result("m3", 3, 0.93), Result("only b", 1, 0.5),
            Result("m2|bn", 1, 0.92, epochs: 5), Result("m2|bn", 2, 0.91) };

        var text = FolderComparison.Compare(a, b, "test_accuracy").ToMarkdown("a", "b");

        Assert.Contains("- \"m3\": seed(s) 3, 4 finished on one side only, not paired.", text, StringComparison.Ordinal);
        Assert.Contains("- \"m3\": the intra-op threads of some seeds were not recorded on one side, so whether both were computed " +
            "alike is unknown.", text, StringComparison.Ordinal);
        Assert.Contains("- \"only a\" has no finished run-seed in the second folder.", text, StringComparison.Ordinal);
        Assert.Contains("- \"only b\" has no finished run-seed in the first folder.", text, StringComparison.Ordinal);
        Assert.Contains("- \"m2|bn\": seed(s) 2 have no finite test_accuracy on a side, left out.", text, StringComparison.Ordinal);
        Assert.Contains("- \"m2|bn\": trained for different epochs (seed 1: 20 and 5): not the same training.", text,
            StringComparison.Ordinal);
        Assert.Contains("| m2\\|bn | ", text, StringComparison.Ordinal);
        // Pooled: m3's seeds 1 and 2 (0 and +1 points) and m2|bn's seed 1 (+2 points).
        Assert.Contains("| all runs, pooled |  |  | +1.00 | ", text, StringComparison.Ordinal);
        var pooled = text.Split('\n').First(l => l.StartsWith("| all runs", StringComparison.Ordinal));
        Assert.EndsWith(" | 3 |", pooled, StringComparison.Ordinal);
    }

    [Fact]
    public void Folders_with_no_run_in_common_and_an_unknown_metric_are_refused_in_one_line()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            FolderComparison.Compare(new[] { Result("m3", 1, 0.9) }, new[] { Result("m2", 1, 0.9) }, "test_accuracy"));
        var metric = Assert.Throws<ArgumentException>(() => FolderComparison.CheckMetric("f1"));

        Assert.Equal("The two folders have no finished run in common: the first has \"m3\", the second \"m2\". Compare folders of the " +
            "same study (runs are matched by name).", error.Message);
        Assert.StartsWith("Unknown --metric `f1`; use test_accuracy, test_loss, val_accuracy, best_val_accuracy, seconds_per_epoch.",
            metric.Message, StringComparison.Ordinal);
    }
}

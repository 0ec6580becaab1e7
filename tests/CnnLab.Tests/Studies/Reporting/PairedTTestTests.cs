using CnnLab.Studies.Experiments;
using CnnLab.Studies.Reporting;

namespace CnnLab.Tests.Studies.Reporting;

public class PairedTTestTests
{
    [Fact]
    public void One_degree_of_freedom_matches_the_Cauchy_distribution()
    {
        // Differences (0, 2): mean 1, sd sqrt 2, t = 1; with 1 degree of freedom p = 1 - (2 / pi) atan(1) = 0.5.
        var test = PairedTTest.Compute(new[] { 1.0, 3.0 }, new[] { 1.0, 1.0 });

        Assert.Equal(1.0, test.T, 12);
        Assert.Equal(0.5, test.PValue, 10);
    }

    [Fact]
    public void Two_degrees_of_freedom_match_the_closed_form()
    {
        // Differences (1, 2, 3): t = 2 / (1 / sqrt 3); for 2 degrees of freedom p = 1 - |t| / sqrt(t^2 + 2).
        var test = PairedTTest.Compute(new[] { 1.0, 2.0, 3.0 }, new[] { 0.0, 0.0, 0.0 });
        var t = 2 * Math.Sqrt(3);

        Assert.Equal(t, test.T, 12);
        Assert.Equal(1 - t / Math.Sqrt(t * t + 2), test.PValue, 10);
    }

    [Fact]
    public void The_confidence_interval_and_effect_size_match_the_t_table()
    {
        // Differences (1, 2, 3): mean 2, sd 1; t(0.975, 2 df) = 4.302653 (tables), so 2 +- 4.302653 / sqrt 3.
        var test = PairedTTest.Compute(new[] { 1.0, 2.0, 3.0 }, new[] { 0.0, 0.0, 0.0 });
        var (low, high) = test.ConfidenceInterval();

        Assert.Equal(4.302653, PairedTTest.TQuantile(0.975, 2), 5);
        Assert.Equal(2.570582, PairedTTest.TQuantile(0.975, 5), 5);
        Assert.Equal(2 - 4.302653 / Math.Sqrt(3), low, 5);
        Assert.Equal(2 + 4.302653 / Math.Sqrt(3), high, 5);
        Assert.Equal(2.0, test.EffectSize, 12);
        Assert.True(double.IsNaN(PairedTTest.Compute(new[] { 1.0 }, new[] { 0.0 }).ConfidenceInterval().Low));
    }

    [Fact]
    public void The_verdict_names_the_winner_the_size_and_whether_it_holds()
    {
        var comparison = new ComparisonDefinition("Adam vs RMSprop", "Adam run", "RMSprop run", "test_accuracy");

        var holds = StudyReport.Verdict(comparison, new PairedTTest(5, -0.0123, -4.2, 0.0137));
        var noise = StudyReport.Verdict(comparison, new PairedTTest(3, 0.002, 0.8, 0.51));
        var single = StudyReport.Verdict(comparison, new PairedTTest(1, 0.002, double.NaN, double.NaN));

        Assert.Equal("\"RMSprop run\" has the higher test accuracy than \"Adam run\" by 1.23 points on average over 5 seeds (paired t = " +
                     "-4.20, p = 0.014): " +
                     "the difference holds at the 0.05 level.", holds);
        Assert.EndsWith("not significant at the 0.05 level; it may be noise.", noise);
        Assert.Equal("With 1 seed the difference in test accuracy cannot be tested; run the study with --seeds 3 or more.", single);
    }

    [Fact]
    public void Mean_and_standard_deviation_use_the_sample_deviation()
    {
        Assert.Equal("0.9000 ± 0.0100", StudyReport.MeanStd(new[] { 0.89, 0.90, 0.91 }));
        Assert.Equal("0.9000", StudyReport.MeanStd(new[] { 0.9 }));
    }
}

using CnnLab.Studies.Search;

namespace CnnLab.Tests.Studies.Search;

/// <summary>Training time as a second objective: which trials no other beats on both score and seconds.</summary>
public sealed class ParetoFrontTests
{
    private static IReadOnlyList<(string Name, double Seconds, double Score)> Front(params (string, double, double)[] points) =>
        ParetoFront.Of(points, p => p.Item3, p => p.Item2);

    [Fact]
    public void The_front_keeps_each_trial_that_buys_accuracy_with_time_and_drops_the_dominated_ones()
    {
        var front = Front(("slow and best", 300, 0.93), ("dominated", 200, 0.90), ("fast", 60, 0.89),
            ("middle", 150, 0.91), ("slowest, no better", 400, 0.93), ("fastest, worst", 40, 0.80));
        Assert.Equal(new[] { "fastest, worst", "fast", "middle", "slow and best" }, front.Select(p => p.Name));
    }

    [Fact]
    public void Equal_points_are_listed_once_and_points_that_are_not_finite_are_left_out()
    {
        var front = Front(("first", 100, 0.9), ("same", 100, 0.9), ("no time", double.NaN, 0.99), ("diverged", 50, double.NaN),
            ("same time, better", 100, 0.92));
        Assert.Equal(new[] { "same time, better" }, front.Select(p => p.Name));
        Assert.Equal(new[] { "first" }, Front(("first", 100, 0.9), ("same", 100, 0.9)).Select(p => p.Name));
        Assert.Empty(Front());
    }
}

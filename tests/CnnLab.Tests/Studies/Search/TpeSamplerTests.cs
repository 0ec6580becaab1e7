using CnnLab.Studies.Search;

namespace CnnLab.Tests.Studies.Search;

public class TpeSamplerTests
{
    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.5, 0.5204998778)]
    [InlineData(1.0, 0.8427007929)]
    [InlineData(-2.0, -0.9953222650)]
    public void Erf_matches_its_tabulated_values(double x, double erf)
    {
        Assert.Equal(erf, ParzenDensity.Erf(x), 6);
    }

    [Fact]
    public void A_parzen_density_integrates_to_one_over_its_range()
    {
        var density = ParzenDensity.Numeric(new[] { 0.1, 0.15, 0.7, 0.95 });

        var integral = Enumerable.Range(0, 10_000).Sum(i => density.At((i + 0.5) / 10_000)) / 10_000;

        Assert.Equal(1.0, integral, 3);
    }

    [Fact]
    public void On_a_known_objective_tpe_finds_better_configurations_than_random_search_with_the_same_trials()
    {
        // Four ranges and a choice, best at known points; the noise-free score is known everywhere.
        var space = SearchSpaceTests.Parse("""
            optimizer: {choice: [adam, rmsprop, sgd]}
            learning_rate: {float: [0.00001, 0.1], log: true}
            dropout: {float: [0, 0.6]}
            filters: {int: [8, 128], log: true}
            label_smoothing: {float: [0, 0.3]}
            """);
        double Score(IReadOnlyDictionary<string, double> d) =>
            -Math.Pow(Math.Log10(d["learning_rate"] / 0.003), 2) - Math.Pow((d["dropout"] - 0.25) / 0.6, 2)
            - Math.Pow(Math.Log2(d["filters"] / 48) / 4, 2) - Math.Pow((d["label_smoothing"] - 0.1) / 0.3, 2)
            - (d["optimizer"] == 1 ? 0 : 0.3);
        double Best(ISampler sampler, int seed)
        {
            var observations = new List<Observation>();
            for (var trial = 0; trial < 80; trial++)
            {
                var drawn = sampler.Sample(space, observations, new Random(seed * 1000 + trial));
                observations.Add(new Observation(drawn, Score(drawn)));
            }
            return observations.Max(o => o.Score);
        }

        var seeds = Enumerable.Range(1, 10).ToList();
        var tpe = seeds.Select(s => Best(new TpeSampler(), s)).ToList();
        var random = seeds.Select(s => Best(new RandomSampler(), s)).ToList();

        // The same first 10 trials (TPE starts at random), then TPE's model: better on average and on most seeds.
        var pairs = string.Join(", ", tpe.Zip(random).Select(p => $"{p.First:F3}/{p.Second:F3}"));
        Assert.True(tpe.Average() > random.Average(), $"tpe {tpe.Average():F4}, random {random.Average():F4}: {pairs}");
        Assert.True(tpe.Zip(random).Count(p => p.First > p.Second) >= 8, pairs);
    }
}

using CnnLab.Studies.Experiments;

namespace CnnLab.Studies.Search;

/// <summary>
/// The Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio and Kégl, "Algorithms for Hyper-Parameter
/// Optimization", NeurIPS 2011), independent per parameter as Optuna's default is: the observations split into the
/// best gamma (10%, at most 25) and the rest; each side becomes a density per parameter (a Parzen mixture of truncated
/// Gaussians on the parameter's sampling scale with a uniform prior component, or smoothed counts for a choice); of
/// <see cref="Candidates"/> configurations drawn from the good side, the one with the largest good/rest density ratio
/// is returned. Until <see cref="StartupTrials"/> observations exist it samples at random. A conditional parameter is
/// modelled from the observations where it applied.
/// </summary>
public sealed class TpeSampler : ISampler
{
    /// <summary>Random trials before the model is used.</summary>
    public int StartupTrials { get; init; } = 10;

    /// <summary>Configurations drawn from the good density per sample.</summary>
    public int Candidates { get; init; } = 24;

    /// <inheritdoc />
    public string Name => "tpe";

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> Sample(SearchSpace space, IReadOnlyList<Observation> observations, Random random)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(observations);
        ArgumentNullException.ThrowIfNull(random);
        if (observations.Count < StartupTrials)
        {
            return new RandomSampler().Sample(space, observations, random);
        }
        var ranked = observations.OrderByDescending(o => o.Score).ToList();
        var goodCount = Math.Min(25, Math.Max(1, (int)Math.Ceiling(0.1 * ranked.Count)));
        var good = ranked.Take(goodCount).ToList();
        var rest = ranked.Skip(goodCount).ToList();
        IReadOnlyDictionary<string, double>? best = null;
        var bestRatio = double.NegativeInfinity;
        for (var candidate = 0; candidate < Candidates; candidate++)
        {
            var drawn = new Dictionary<string, double>();
            var ratio = 0.0;
            foreach (var parameter in space.Parameters)
            {
                if (!space.Applies(parameter, drawn))
                {
                    continue;
                }
                var goodDensity = Density(parameter, good);
                var restDensity = Density(parameter, rest);
                var value = goodDensity.Draw(random);
                drawn[parameter.Key] = parameter.Kind == ParameterKind.Choice ? value : parameter.FromUnit(value);
                ratio += Math.Log(goodDensity.At(value)) - Math.Log(restDensity.At(value));
            }
            if (ratio > bestRatio)
            {
                (best, bestRatio) = (drawn, ratio);
            }
        }
        return best!;
    }

    private static ParzenDensity Density(SearchParameter parameter, IReadOnlyList<Observation> side)
    {
        var points = side.Where(o => o.Drawn.ContainsKey(parameter.Key)).Select(o => parameter.ToUnit(o.Drawn[parameter.Key])).ToList();
        return parameter.Kind == ParameterKind.Choice
            ? ParzenDensity.Categorical(parameter.Choices.Count, points)
            : ParzenDensity.Numeric(points);
    }
}

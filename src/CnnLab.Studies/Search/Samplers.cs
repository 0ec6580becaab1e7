using CnnLab.Studies.Experiments;

namespace CnnLab.Studies.Search;

/// <summary>A configuration scored: what it drew and its objective (higher is better).</summary>
public sealed record Observation(IReadOnlyDictionary<string, double> Drawn, double Score);

/// <summary>Chooses the next configuration of a space from the ones scored so far.</summary>
public interface ISampler
{
    /// <summary>The sampler's name in study files and journals.</summary>
    string Name { get; }

    /// <summary>A configuration: each applicable parameter's drawn value, in the space's order.</summary>
    IReadOnlyDictionary<string, double> Sample(SearchSpace space, IReadOnlyList<Observation> observations, Random random);
}

/// <summary>Every parameter drawn uniformly (in the log where asked), independently: random search.</summary>
public sealed class RandomSampler : ISampler
{
    /// <inheritdoc />
    public string Name => "random";

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> Sample(SearchSpace space, IReadOnlyList<Observation> observations, Random random)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(random);
        var drawn = new Dictionary<string, double>();
        foreach (var parameter in space.Parameters)
        {
            if (space.Applies(parameter, drawn))
            {
                drawn[parameter.Key] = parameter.Draw(random);
            }
        }
        return drawn;
    }
}

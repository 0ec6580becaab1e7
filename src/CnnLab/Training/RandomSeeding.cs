using static TorchSharp.torch;

namespace CnnLab.Training;

/// <summary>
/// Every random generator of a Fit, derived from its one seed: the shuffle's, each random layer's (dropout, noise,
/// augmentation) and the batch mixing's. Their order is the order an epoch checkpoint saves and restores them in.
/// </summary>
internal sealed class RandomSeeding : IDisposable
{
    public RandomSeeding(long seed, IEnumerable<Layers.Layer> randomLayers, Augmentation.BatchMix? batchMix)
    {
        var layers = randomLayers.ToList();
        for (var i = 0; i < layers.Count; i++)
        {
            layers[i].SeedRandom(unchecked(seed * 1_000_003 + i + 1));
        }
        batchMix?.Seed(unchecked(seed * 1_000_003 - 1));
        Shuffle = new Generator(unchecked((ulong)seed), CPU);
        var generators = new List<Generator?> { Shuffle };
        generators.AddRange(layers.Select(l => l.RandomGenerator));
        generators.Add(batchMix?.Generator);
        Generators = generators;
    }

    /// <summary>The generator of each epoch's permutation.</summary>
    public Generator Shuffle { get; }

    /// <summary>All generators in checkpoint order (null where a layer draws nothing).</summary>
    public IReadOnlyList<Generator?> Generators { get; }

    public void Dispose() => Shuffle.Dispose();
}

using static TorchSharp.torch;

namespace CnnLab.Data;

/// <summary>
/// Splits a dataset keeping each class's share: from every class a seeded random <c>fraction</c> of its
/// samples goes to the second part. Use it instead of Keras' validation_split (the last fraction) when the
/// data are sorted by class or a class is rare.
/// </summary>
public static class StratifiedSplit
{
    /// <summary>Returns (kept, heldOut); both are new datasets and the source is unchanged.</summary>
    public static (Dataset Kept, Dataset HeldOut) Split(Dataset dataset, double fraction, long seed)
    {
        if (!(fraction > 0 && fraction < 1))
        {
            throw new ArgumentException($"Invalid value for argument `fraction`. Expected a value in (0, 1). Received: fraction={fraction}",
                nameof(fraction));
        }
        var labels = dataset.Labels.data<long>().ToArray();
        var random = new Random(unchecked((int)seed));
        var kept = new List<long>();
        var heldOut = new List<long>();
        foreach (var group in Enumerable.Range(0, labels.Length).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            var indices = group.Select(i => (long)i).ToArray();
            random.Shuffle(indices);
            var take = (int)Math.Round(indices.Length * fraction);
            heldOut.AddRange(indices.Take(take));
            kept.AddRange(indices.Skip(take));
        }
        kept.Sort();
        heldOut.Sort();
        using var keptIndex = tensor(kept.ToArray());
        using var heldOutIndex = tensor(heldOut.ToArray());
        return (dataset.Select(keptIndex), dataset.Select(heldOutIndex));
    }
}

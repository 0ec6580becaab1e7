using System.Globalization;

namespace CnnLab.Data;

/// <summary>
/// The order in which a folder's or a CSV file's samples are listed, as Keras' <c>image_dataset_from_directory(shuffle=True,
/// seed=...)</c>: shuffled with a seed by default, or kept in file order. Files are read class by class, so without the
/// shuffle Keras' validation_split (the last fraction) and a limit to the first N samples would each see only some classes.
/// </summary>
public sealed record DataShuffle(bool Enabled, long Seed)
{
    /// <summary>The seed used when none is given: 0, as the stratified test hold-out's.</summary>
    public const long DefaultSeed = 0;

    /// <summary>Shuffled with <see cref="DefaultSeed"/>.</summary>
    public static DataShuffle Default { get; } = new(true, DefaultSeed);

    /// <summary>File order: class folders alphabetically, then files alphabetically; CSV rows as written.</summary>
    public static DataShuffle KeepFileOrder { get; } = new(false, DefaultSeed);

    /// <summary>Shuffled with <paramref name="seed"/>.</summary>
    public static DataShuffle WithSeed(long seed) => new(true, seed);

    /// <summary>
    /// The listing order of <paramref name="count"/> samples: a seeded Fisher-Yates permutation, or 0..count-1. System.Random
    /// with a seed gives the same sequence on every platform and .NET version, so a seed always means the same order.
    /// </summary>
    public int[] Order(int count)
    {
        var order = Enumerable.Range(0, count).ToArray();
        if (Enabled)
        {
            new Random(unchecked((int)(Seed ^ (Seed >> 32)))).Shuffle(order);
        }
        return order;
    }

    /// <summary>For sources and logs: "shuffled with seed 0" or "in file order".</summary>
    public override string ToString() => Enabled ? string.Create(CultureInfo.InvariantCulture, $"shuffled with seed {Seed}")
        : "in file order";
}

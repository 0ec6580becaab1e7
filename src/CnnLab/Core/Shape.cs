namespace CnnLab.Core;

/// <summary>
/// The shape of one sample as Keras prints it, without the batch axis: (height, width, channels)
/// for images, (units) for vectors. Tensors themselves are NCHW, as libtorch prefers.
/// </summary>
public sealed record Shape
{
    /// <summary>Creates a shape from its dimensions, Keras order.</summary>
    public Shape(params int[] dimensions)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        if (dimensions.Length == 0)
        {
            throw new ArgumentException("A shape needs at least one dimension. Received: ().", nameof(dimensions));
        }
        foreach (var d in dimensions)
        {
            if (d <= 0)
            {
                throw new ArgumentException(
                    $"Invalid value for argument `shape`. Expected strictly positive dimensions. Received: shape={Format(dimensions)}",
                    nameof(dimensions));
            }
        }
        if (ModelLimits.SampleElements(dimensions) is null)
        {
            throw new ArgumentException(
                $"Invalid value for argument `shape`. {Format(dimensions)} holds more than {ModelLimits.MaxSampleElements:N0} values per " +
                $"sample (1 GiB of float32), the limit. " +
                "Use a smaller image size, fewer filters or more pooling.",
                nameof(dimensions));
        }
        Dimensions = (int[])dimensions.Clone();
    }

    /// <summary>The dimensions without the batch axis.</summary>
    public IReadOnlyList<int> Dimensions { get; }

    /// <summary>Number of dimensions without the batch axis.</summary>
    public int Rank => Dimensions.Count;

    /// <summary>True for (height, width, channels).</summary>
    public bool IsImage => Rank == 3;

    /// <summary>Image height; only for image shapes.</summary>
    public int Height => Dimensions[0];

    /// <summary>Image width; only for image shapes.</summary>
    public int Width => Dimensions[1];

    /// <summary>The last axis: channels of an image, units of a vector.</summary>
    public int Channels => Dimensions[^1];

    /// <summary>Product of all dimensions.</summary>
    public long Size => Dimensions.Aggregate(1L, (a, b) => a * b);

    /// <summary>
    /// The images a model with this input takes: the shape itself, or (height, width, 1) for (height, width), a
    /// single-channel image given without its channel axis (as Keras models that start with a Reshape or Flatten of
    /// (28, 28) are written); its values in the same order, so the channel axis is dropped without moving any.
    /// </summary>
    public Shape AsImage() => Rank == 2 ? Image(Dimensions[0], Dimensions[1], 1) : this;

    /// <summary>An image shape, Keras order.</summary>
    public static Shape Image(int height, int width, int channels) => new(height, width, channels);

    /// <summary>The NCHW (or N x units) tensor shape for a batch of this shape.</summary>
    public long[] ToTensorShape(long batch) => IsImage
        ? new[] { batch, Channels, Height, Width }
        : new[] { batch }.Concat(Dimensions.Select(d => (long)d)).ToArray();

    /// <summary>Keras' text: (None, 28, 28, 20).</summary>
    public override string ToString() => "(None, " + string.Join(", ", Dimensions) + ")";

    /// <inheritdoc />
    public bool Equals(Shape? other) => other is not null && Dimensions.SequenceEqual(other.Dimensions);

    /// <inheritdoc />
    public override int GetHashCode() => Dimensions.Aggregate(17, (h, d) => h * 31 + d);

    internal static string Format(IEnumerable<int> dimensions) => "(" + string.Join(", ", dimensions) + ")";
}

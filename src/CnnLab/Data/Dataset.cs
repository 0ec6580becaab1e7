using CnnLab.Core;
using CnnLab.Layers;
using static TorchSharp.torch;

namespace CnnLab.Data;

/// <summary>
/// Images (N x channels x height x width, float32) with their integer labels (N, int64) and class names.
/// Owns its tensors: dispose it to release them.
/// </summary>
public sealed class Dataset : IDisposable
{
    /// <summary>Wraps tensors; the dataset takes ownership.</summary>
    public Dataset(Tensor images, Tensor labels, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        if (images.dim() != 4 || labels.dim() != 1 || images.shape[0] != labels.shape[0])
        {
            throw new ArgumentException(
                $"A dataset needs images N x C x H x W and labels N; received images ({string.Join(", ", images.shape)}) " +
                $"and labels ({string.Join(", ", labels.shape)}).");
        }
        Images = images.DetachFromDisposeScope();
        Labels = labels.DetachFromDisposeScope();
        ClassNames = classNames;
    }

    /// <summary>N x C x H x W, float32.</summary>
    public Tensor Images { get; }

    /// <summary>N class indices, int64.</summary>
    public Tensor Labels { get; }

    /// <summary>Names of the classes, indexed by label.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Number of samples.</summary>
    public int Count => (int)Images.shape[0];

    /// <summary>The shape of one image in Keras' order (height, width, channels): a model's input shape.</summary>
    public Shape InputShape => Shape.Image((int)Images.shape[2], (int)Images.shape[3], (int)Images.shape[1]);

    /// <summary>
    /// A dataset from raw bytes: <paramref name="pixels"/> holds <paramref name="count"/> images of
    /// channels x height x width bytes (0-255), scaled here to [0, 1].
    /// </summary>
    public static Dataset FromBytes(byte[] pixels, byte[] labels, int count, int channels, int height, int width,
        IReadOnlyList<string> classNames)
    {
        using var scope = NewDisposeScope();
        using var raw = tensor(pixels, new long[] { count, channels, height, width });
        var images = raw.to(ScalarType.Float32).div_(255f);
        using var rawLabels = tensor(labels, new long[] { count });
        var targets = rawLabels.to(ScalarType.Int64);
        return new Dataset(images, targets, classNames);
    }

    /// <summary>Number of classes.</summary>
    public int ClassCount => ClassNames.Count;

    /// <summary>The samples at these indices, as a new dataset.</summary>
    public Dataset Select(Tensor indices)
    {
        using var scope = NewDisposeScope();
        return new Dataset(Images.index_select(0, indices), Labels.index_select(0, indices), ClassNames);
    }

    /// <summary>How many samples each class has, indexed by label.</summary>
    public long[] CountsPerClass()
    {
        using var counts = Labels.bincount(null, ClassNames.Count);
        return counts.data<long>().ToArray();
    }

    /// <summary>The first <paramref name="count"/> samples (all when count is larger), as a new dataset.</summary>
    public Dataset Take(int count)
    {
        var n = Math.Clamp(count, 0, Count);
        return new Dataset(Images.narrow(0, 0, n).clone(), Labels.narrow(0, 0, n).clone(), ClassNames);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}

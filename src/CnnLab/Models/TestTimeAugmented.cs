using CnnLab.Core;
using CnnLab.Data;
using static TorchSharp.torch;

namespace CnnLab.Models;

/// <summary>
/// Test-time augmentation as one wrapper around any <see cref="IImageClassifier"/>, whichever engine runs it: the
/// mean of the outputs for the images and for their augmented copies. CnnLab's models and ONNX Runtime's get exactly
/// the same arithmetic.
/// </summary>
public sealed class TestTimeAugmented : IImageClassifier
{
    private readonly IImageClassifier _inner;

    /// <summary>Wraps <paramref name="inner"/>; it stays owned by the caller.</summary>
    public TestTimeAugmented(IImageClassifier inner, TestTimeAugmentation augmentation)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        Require(inner.InputShape, augmentation);
        Augmentation = augmentation;
    }

    /// <summary>What the outputs are averaged over.</summary>
    public TestTimeAugmentation Augmentation { get; }

    /// <inheritdoc />
    public Shape InputShape => _inner.InputShape;

    /// <inheritdoc />
    public int ClassCount => _inner.ClassCount;

    /// <inheritdoc />
    public IReadOnlyList<string>? ClassNames => _inner.ClassNames;

    /// <inheritdoc />
    public Standardization? InputStandardization => _inner.InputStandardization;

    /// <inheritdoc />
    public string? TrainingDataset => _inner.TrainingDataset;

    /// <inheritdoc />
    public bool OutputsProbabilities => _inner.OutputsProbabilities;

    /// <inheritdoc />
    public Tensor Predict(Tensor images, int batchSize) => Apply(Augmentation, images, x => _inner.Predict(x, batchSize));

    /// <inheritdoc />
    public string NonFiniteCause() => _inner.NonFiniteCause();

    /// <summary>Does nothing: the wrapped classifier belongs to the caller.</summary>
    public void Dispose()
    {
    }

    /// <summary>
    /// <paramref name="outputs"/> of the images (N x C x H x W), or their mean over the copies
    /// <paramref name="augmentation"/> names: mirror images flipped along the width, and for
    /// <see cref="TestTimeAugmentation.HorizontalFlipAndTranslate"/> also one-pixel shifts.
    /// </summary>
    public static Tensor Apply(TestTimeAugmentation augmentation, Tensor images, Func<Tensor, Tensor> outputs)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(outputs);
        if (augmentation == TestTimeAugmentation.None)
        {
            return outputs(images);
        }
        var flipped = WithMirror(images, outputs);
        if (augmentation == TestTimeAugmentation.HorizontalFlip)
        {
            return flipped;
        }
        using (flipped)
        {
            // As airbench94: reflect-pad one pixel, then take the crops shifted up-left and down-right.
            var (height, width) = (images.shape[2], images.shape[3]);
            using var padded = nn.functional.pad(images, new long[] { 1, 1, 1, 1 }, TorchSharp.PaddingModes.Reflect);
            using var upLeft = padded[.., .., ..(int)height, ..(int)width];
            using var downRight = padded[.., .., 2.., 2..];
            using var first = WithMirror(upLeft, outputs);
            using var second = WithMirror(downRight, outputs);
            using var shifted = first.add(second).div_(2);
            return flipped.add(shifted).div_(2);
        }
    }

    private static Tensor WithMirror(Tensor images, Func<Tensor, Tensor> outputs)
    {
        using var mirrored = images.flip(3);
        using var first = outputs(images);
        using var second = outputs(mirrored);
        return first.add(second).div_(2);
    }

    /// <summary>Refuses an augmentation that mirrors images for a model whose inputs are not images.</summary>
    public static void Require(Shape inputShape, TestTimeAugmentation augmentation)
    {
        if (augmentation != TestTimeAugmentation.None && inputShape is { IsImage: false })
        {
            throw new ArgumentException(
                $"Test-time augmentation {augmentation} mirrors images, but the model takes inputs of shape {inputShape}. " +
                "Use TestTimeAugmentation.None for inputs that are not images.", nameof(augmentation));
        }
    }
}

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
    /// <paramref name="outputs"/> of the images, or with <see cref="TestTimeAugmentation.HorizontalFlip"/> the mean of
    /// the outputs of the images and of their mirror images (flipped along the width, N x C x H x W).
    /// </summary>
    public static Tensor Apply(TestTimeAugmentation augmentation, Tensor images, Func<Tensor, Tensor> outputs)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(outputs);
        if (augmentation == TestTimeAugmentation.None)
        {
            return outputs(images);
        }
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

using static TorchSharp.torch;

namespace CnnLab.Models;

/// <summary>Test-time augmentation for any classifier in one call, through <see cref="TestTimeAugmented"/>.</summary>
public static class ImageClassifierExtensions
{
    /// <summary>The classifier's outputs for the images, averaged over <paramref name="augmentation"/>'s copies.</summary>
    public static Tensor Predict(this IImageClassifier classifier, Tensor images, int batchSize, TestTimeAugmentation augmentation)
    {
        using var augmented = new TestTimeAugmented(classifier, augmentation);
        return augmented.Predict(images, batchSize);
    }
}

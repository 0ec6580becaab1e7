namespace CnnLab.Models;

/// <summary>
/// What Evaluate and Predict average over at inference. HorizontalFlip averages the model's outputs for each image and
/// its mirror image, a cheap gain for data whose classes do not change under a horizontal flip (clothes, most photos),
/// and wrong for data whose do (digits, text).
/// </summary>
public enum TestTimeAugmentation
{
    /// <summary>The model's outputs for the images as they are.</summary>
    None,

    /// <summary>The mean of the outputs for the images and for their horizontal mirrors.</summary>
    HorizontalFlip,

    /// <summary>
    /// airbench94's test-time augmentation: half the flip's mean, half the flip's mean over the images shifted one pixel
    /// up-left and one pixel down-right (reflected at the border): six passes.
    /// </summary>
    HorizontalFlipAndTranslate,
}

/// <summary>The names study files and the command line use for <see cref="TestTimeAugmentation"/> values.</summary>
public static class TestTimeAugmentations
{
    private static readonly Dictionary<string, TestTimeAugmentation> ByName = new(StringComparer.Ordinal)
    {
        ["none"] = TestTimeAugmentation.None,
        ["horizontal_flip"] = TestTimeAugmentation.HorizontalFlip,
        ["horizontal_flip_and_translate"] = TestTimeAugmentation.HorizontalFlipAndTranslate,
    };

    /// <summary>The accepted names, in order.</summary>
    public static IReadOnlyList<string> Names { get; } = ByName.Keys.ToArray();

    /// <summary>The value named <paramref name="name"/>; false for a name that is not in <see cref="Names"/>.</summary>
    public static bool TryParse(string name, out TestTimeAugmentation value) => ByName.TryGetValue(name, out value);
}

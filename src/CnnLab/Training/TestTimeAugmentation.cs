namespace CnnLab.Training;

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
}

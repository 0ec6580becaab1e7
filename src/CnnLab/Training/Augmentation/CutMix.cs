using static TorchSharp.torch;

namespace CnnLab.Training.Augmentation;

/// <summary>
/// CutMix (Yun et al. 2019): a rectangle of the partner image pasted into each image, its area a fraction
/// 1 - lambda of the image, centred uniformly and clipped at the borders; lambda is then the share actually kept.
/// alpha 1 by default.
/// </summary>
public sealed class CutMix : BatchMix
{
    /// <summary>Creates the augmentation.</summary>
    public CutMix(double alpha = 1.0)
        : base(alpha)
    {
    }

    /// <inheritdoc />
    protected override (Tensor Images, double Lambda) Combine(Tensor images, Tensor partners, double lambda)
    {
        var (height, width) = (images.shape[2], images.shape[3]);
        var cut = Math.Sqrt(1 - lambda);
        var cutHeight = (long)(height * cut);
        var cutWidth = (long)(width * cut);
        var centreY = (long)(NextUniform() * height);
        var centreX = (long)(NextUniform() * width);
        var top = Math.Clamp(centreY - cutHeight / 2, 0, height);
        var bottom = Math.Clamp(centreY + cutHeight / 2, 0, height);
        var left = Math.Clamp(centreX - cutWidth / 2, 0, width);
        var right = Math.Clamp(centreX + cutWidth / 2, 0, width);
        var mixed = images.clone();
        if (bottom > top && right > left)
        {
            using var box = partners.narrow(2, top, bottom - top).narrow(3, left, right - left);
            using var target = mixed.narrow(2, top, bottom - top).narrow(3, left, right - left);
            target.copy_(box);
        }
        return (mixed, 1 - (double)((bottom - top) * (right - left)) / (height * width));
    }
}

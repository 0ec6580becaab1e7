using static TorchSharp.torch;

namespace CnnLab.Training.Augmentation;

/// <summary>mixup (Zhang et al. 2018): lambda * image + (1 - lambda) * partner; alpha 0.2 by default.</summary>
public sealed class Mixup : BatchMix
{
    /// <summary>Creates the augmentation.</summary>
    public Mixup(double alpha = 0.2)
        : base(alpha)
    {
    }

    /// <inheritdoc />
    protected override (Tensor Images, double Lambda) Combine(Tensor images, Tensor partners, double lambda) =>
        (images.mul(lambda).add(partners.mul(1 - lambda)), lambda);
}

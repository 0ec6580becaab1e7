using System.Globalization;
using CnnLab.Core;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnLab.Layers;

/// <summary>
/// A random image augmentation (Keras' preprocessing layers): active in training only, the identity in inference,
/// applied to a whole (N, C, H, W) batch at once with tensor operations, each image with its own random draw.
/// It never changes the image shape, so it can sit anywhere before the first Conv2D, or in
/// <see cref="Training.FitOptions.Augmentation"/> to augment the training batches without becoming part of the model.
/// </summary>
public abstract class ImageAugmentation : RandomLayer
{
    /// <summary>Creates the layer.</summary>
    protected ImageAugmentation(string? name)
        : base(name)
    {
    }

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape) => inputShape.IsImage
        ? inputShape
        : throw IncompatibleRank(inputShape, 3, $"{TypeName} augments (height, width, channels) images; put it before Flatten.");

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => IsTraining ? Augment(input) : input.alias();

    /// <summary>The augmented batch, a new tensor of the same shape.</summary>
    protected abstract Tensor Augment(Tensor images);

    /// <summary>
    /// Resamples each image through its own 2x3 affine matrix <paramref name="theta"/> (N, 2, 3), which maps output
    /// coordinates to input coordinates in [-1, 1] units, filling outside pixels as <paramref name="fill"/> says,
    /// interpolating as <paramref name="mode"/> says (bilinear unless a layer offers Keras' <c>interpolation</c>).
    /// </summary>
    protected static Tensor Resample(Tensor images, Tensor theta, FillMode fill, double fillValue,
        GridSampleMode mode = GridSampleMode.Bilinear)
    {
        using var grid = F.affine_grid(theta, images.shape, align_corners: false);
        var padding = fill switch
        {
            FillMode.Reflect => GridSamplePaddingMode.Reflection,
            FillMode.Nearest => GridSamplePaddingMode.Border,
            _ => GridSamplePaddingMode.Zeros,
        };
        if (fill != FillMode.Constant || fillValue == 0)
        {
            return F.grid_sample(images, grid, mode, padding, align_corners: false);
        }
        // Zero padding of (x - v), plus v, fills with v.
        using var shifted = images.sub(fillValue);
        using var sampled = F.grid_sample(shifted, grid, mode, padding, align_corners: false);
        return sampled.add(fillValue);
    }

    /// <summary>Reads Keras' fill_mode names.</summary>
    public static FillMode ParseFillMode(string value) => value switch
    {
        "reflect" => FillMode.Reflect,
        "constant" => FillMode.Constant,
        "nearest" => FillMode.Nearest,
        _ => throw new ArgumentException(
            $"Invalid value for argument `fillMode`. Expected one of: reflect, constant, nearest. Received: fillMode={value}", "fillMode"),
    };

    /// <summary>A factor range (lower, upper) from a single value f, meaning [-f, f], with both ends in [-limit, limit].</summary>
    protected static (double Lower, double Upper) FactorRange(double lower, double upper, double limit, string name)
    {
        if (!(lower >= -limit && upper <= limit && lower <= upper))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Invalid value for argument `{name}`. Expected a range (lower, upper) with -{limit} <= lower <= upper <= {limit}. " +
                $"Received: {name}=({lower}, {upper})"), name);
        }
        return (lower, upper);
    }
}

using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace CnnLab.Layers;

/// <summary>
/// Keras' RandomTranslation: in training, shifts each image by a random fraction of its height and width, drawn
/// uniformly from the factor ranges (0.1 means [-10%, +10%]), resampled bilinearly and filled as <see cref="Fill"/>.
/// </summary>
public sealed class RandomTranslation : ImageAugmentation
{
    /// <summary>Creates the layer with symmetric ranges [-heightFactor,
    /// heightFactor] and [-widthFactor, widthFactor], each within [0, 1].</summary>
    public RandomTranslation(double heightFactor, double widthFactor, string fillMode = "reflect", double fillValue = 0,
        string? name = null)
        : this((-heightFactor, heightFactor), (-widthFactor, widthFactor), fillMode, fillValue, name)
    {
    }

    /// <summary>Creates the layer with explicit (lower, upper) ranges, each end within [-1, 1].</summary>
    public RandomTranslation((double Lower, double Upper) heightFactor, (double Lower, double Upper) widthFactor,
        string fillMode = "reflect", double fillValue = 0, string? name = null)
        : base(name)
    {
        HeightFactor = FactorRange(heightFactor.Lower, heightFactor.Upper, 1, nameof(heightFactor));
        WidthFactor = FactorRange(widthFactor.Lower, widthFactor.Upper, 1, nameof(widthFactor));
        Fill = ParseFillMode(fillMode);
        FillValue = fillValue;
    }

    /// <summary>Range of the vertical shift, as a fraction of the height.</summary>
    public (double Lower, double Upper) HeightFactor { get; }

    /// <summary>Range of the horizontal shift, as a fraction of the width.</summary>
    public (double Lower, double Upper) WidthFactor { get; }

    /// <summary>How pixels shifted in from outside are filled.</summary>
    public FillMode Fill { get; }

    /// <summary>The value of <see cref="FillMode.Constant"/>.</summary>
    public double FillValue { get; }

    /// <inheritdoc />
    protected override Tensor Augment(Tensor images)
    {
        var n = images.shape[0];
        using var scope = NewDisposeScope();
        // A shift of d (fraction of the size) moves content by d; in [-1, 1] grid units the size is 2 wide,
        // and the grid maps output to input, hence -2d.
        var dy = Uniform(new[] { n }, images).mul(HeightFactor.Upper - HeightFactor.Lower).add(HeightFactor.Lower).mul(-2);
        var dx = Uniform(new[] { n }, images).mul(WidthFactor.Upper - WidthFactor.Lower).add(WidthFactor.Lower).mul(-2);
        var one = ones_like(dx);
        var zero = zeros_like(dx);
        var theta = stack(new[] { one, zero, dx, zero, one, dy }, 1).reshape(n, 2, 3);
        return Resample(images, theta, Fill, FillValue).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void WriteConfig(JsonObject config)
    {
        config["height_factor"] = new JsonArray(HeightFactor.Lower, HeightFactor.Upper);
        config["width_factor"] = new JsonArray(WidthFactor.Lower, WidthFactor.Upper);
        config["fill_mode"] = FillModes.Name(Fill);
        config["fill_value"] = FillValue;
    }

    /// <summary>The layer from its Keras config (Keras' defaults for absent keys).</summary>
    public static Layer FromConfig(LayerConfigReader config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new RandomTranslation(config.Range("height_factor"), config.Range("width_factor"), config.Text("fill_mode", "reflect"),
            config.Number("fill_value", 0), config.Name);
    }
}

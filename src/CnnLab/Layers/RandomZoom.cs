using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace CnnLab.Layers;

/// <summary>
/// Keras' RandomZoom: in training, zooms each image about its centre by 1 + f, f drawn uniformly from the factor
/// range: a positive f zooms out (the image shrinks, <see cref="Fill"/> fills the border), a negative one zooms in
/// (0.2 means [-20%, +20%]). Without a width factor both axes take the height's draw, keeping the aspect ratio.
/// </summary>
public sealed class RandomZoom : ImageAugmentation
{
    /// <summary>
    /// Creates the layer with [-|heightFactor|, |heightFactor|] and, when given, [-|widthFactor|, |widthFactor|]; each
    /// within [0, 1].
    /// </summary>
    public RandomZoom(double heightFactor, double? widthFactor = null, string fillMode = "reflect", string interpolation = "bilinear",
        double fillValue = 0, string? name = null)
        : this((-Math.Abs(heightFactor), Math.Abs(heightFactor)), widthFactor is { } w ? (-Math.Abs(w), Math.Abs(w)) : null, fillMode,
            interpolation, fillValue, name)
    {
    }

    /// <summary>Creates the layer with explicit (lower, upper) ranges, each end within [-1, 1] (sorted, as Keras does).</summary>
    public RandomZoom((double Lower, double Upper) heightFactor, (double Lower, double Upper)? widthFactor, string fillMode = "reflect",
        string interpolation = "bilinear", double fillValue = 0, string? name = null)
        : base(name)
    {
        HeightFactor = Sorted(heightFactor, nameof(heightFactor));
        WidthFactor = widthFactor is { } width ? Sorted(width, nameof(widthFactor)) : null;
        Fill = ParseFillMode(fillMode);
        Interpolation = interpolation is "bilinear" or "nearest" ? interpolation : throw new ArgumentException(
            $"Invalid value for argument `interpolation`. Expected one of: bilinear, nearest. Received: interpolation={interpolation}",
            nameof(interpolation));
        FillValue = fillValue;
    }

    /// <summary>Range of the vertical zoom: the image is resampled at 1 + f times its size about its centre.</summary>
    public (double Lower, double Upper) HeightFactor { get; }

    /// <summary>Range of the horizontal zoom; null to zoom both axes by the vertical draw.</summary>
    public (double Lower, double Upper)? WidthFactor { get; }

    /// <summary>How pixels zoomed in from outside are filled.</summary>
    public FillMode Fill { get; }

    /// <summary>"bilinear" or "nearest".</summary>
    public string Interpolation { get; }

    /// <summary>The value of <see cref="FillMode.Constant"/>.</summary>
    public double FillValue { get; }

    /// <inheritdoc />
    protected override Tensor Augment(Tensor images)
    {
        var n = images.shape[0];
        using var scope = NewDisposeScope();
        var zoomY = Uniform(new[] { n }, images).mul(HeightFactor.Upper - HeightFactor.Lower).add(1 + HeightFactor.Lower);
        var zoomX = WidthFactor is { } w ? Uniform(new[] { n }, images).mul(w.Upper - w.Lower).add(1 + w.Lower) : zoomY;
        var zero = zeros_like(zoomY);
        // Keras maps output pixel x to input zx * (x - c) + c about the centre c; in [-1, 1] grid units the centre is 0.
        var theta = stack(new[] { zoomX, zero, zero, zero, zoomY, zero }, 1).reshape(n, 2, 3);
        var mode = Interpolation == "nearest" ? GridSampleMode.Nearest : GridSampleMode.Bilinear;
        return Resample(images, theta, Fill, FillValue, mode).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void WriteConfig(JsonObject config)
    {
        config["height_factor"] = new JsonArray(HeightFactor.Lower, HeightFactor.Upper);
        config["width_factor"] = WidthFactor is { } w ? new JsonArray(w.Lower, w.Upper) : null;
        config["fill_mode"] = FillModes.Name(Fill);
        config["interpolation"] = Interpolation;
        config["fill_value"] = FillValue;
    }

    /// <summary>The layer from its Keras config (Keras' defaults for absent keys).</summary>
    public static Layer FromConfig(LayerConfigReader config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var width = config.Json("width_factor") is null ? ((double, double)?)null : config.Range("width_factor");
        return new RandomZoom(config.Range("height_factor"), width, config.Text("fill_mode", "reflect"),
            config.Text("interpolation", "bilinear"), config.Number("fill_value", 0), config.Name);
    }

    private static (double Lower, double Upper) Sorted((double A, double B) factor, string name) =>
        FactorRange(Math.Min(factor.A, factor.B), Math.Max(factor.A, factor.B), 1, name);
}

using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace CnnLab.Layers;

/// <summary>
/// Keras' RandomRotation: in training, rotates each image about its centre by a random angle drawn uniformly
/// from the factor range, in fractions of a full turn (0.05 means up to +-18 degrees), filled as <see cref="Fill"/>.
/// </summary>
public sealed class RandomRotation : ImageAugmentation
{
    /// <summary>Creates the layer with the range [-factor, factor]; factor within [0, 0.5].</summary>
    public RandomRotation(double factor, string fillMode = "reflect", double fillValue = 0, string? name = null)
        : this((-factor, factor), fillMode, fillValue, name)
    {
    }

    /// <summary>Creates the layer with an explicit (lower, upper) range, each end within [-0.5, 0.5] of a turn.</summary>
    public RandomRotation((double Lower, double Upper) factor, string fillMode = "reflect", double fillValue = 0, string? name = null)
        : base(name)
    {
        Factor = FactorRange(factor.Lower, factor.Upper, 0.5, nameof(factor));
        Fill = ParseFillMode(fillMode);
        FillValue = fillValue;
    }

    /// <summary>Range of the angle, in fractions of a full turn.</summary>
    public (double Lower, double Upper) Factor { get; }

    /// <summary>How pixels rotated in from outside are filled.</summary>
    public FillMode Fill { get; }

    /// <summary>The value of <see cref="FillMode.Constant"/>.</summary>
    public double FillValue { get; }

    /// <inheritdoc />
    protected override Tensor Augment(Tensor images)
    {
        var n = images.shape[0];
        var aspect = (double)images.shape[2] / images.shape[3];
        using var scope = NewDisposeScope();
        var angle = Uniform(new[] { n }, images).mul((Factor.Upper - Factor.Lower) * 2 * Math.PI).add(Factor.Lower * 2 * Math.PI);
        var cos = angle.cos();
        var sin = angle.sin();
        var zero = zeros_like(angle);
        // Grid units are [-1, 1] on both axes; the aspect terms keep the rotation rigid on non-square images.
        var theta = stack(new[] { cos, sin.mul(-aspect), zero, sin.div(aspect), cos, zero }, 1).reshape(n, 2, 3);
        return Resample(images, theta, Fill, FillValue).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void WriteConfig(JsonObject config)
    {
        config["factor"] = new JsonArray(Factor.Lower, Factor.Upper);
        config["fill_mode"] = FillModes.Name(Fill);
        config["fill_value"] = FillValue;
    }

    /// <summary>The layer from its Keras config (Keras' defaults for absent keys).</summary>
    public static Layer FromConfig(LayerConfigReader config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new RandomRotation(config.Range("factor"), config.Text("fill_mode", "reflect"), config.Number("fill_value", 0), config.Name);
    }
}

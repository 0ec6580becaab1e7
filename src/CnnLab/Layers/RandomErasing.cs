using System.Globalization;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace CnnLab.Layers;

/// <summary>
/// Random erasing (Zhong et al., as torchvision's RandomErasing): in training, with probability
/// <see cref="Probability"/> per image, replaces a rectangle covering a random fraction <see cref="Scale"/> of the
/// image, with aspect ratio (height / width) drawn log-uniformly from <see cref="Ratio"/>, by <see cref="Value"/>.
/// Rectangles larger than the image are clipped to it rather than redrawn, so the whole batch takes one pass.
/// </summary>
public sealed class RandomErasing : ImageAugmentation
{
    /// <summary>Creates the layer; defaults as torchvision: p 0.5, scale (0.02, 0.33), ratio (0.3, 3.3), value 0.</summary>
    public RandomErasing(double probability = 0.5, (double Lower, double Upper)? scale = null, (double Lower, double Upper)? ratio = null,
        double value = 0, string? name = null)
        : base(name)
    {
        if (!(probability >= 0 && probability <= 1))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Invalid value for argument `probability`. Expected a value in [0, 1]. Received: probability={probability}"),
                nameof(probability));
        }
        var s = scale ?? (0.02, 0.33);
        if (!(s.Lower > 0 && s.Lower <= s.Upper && s.Upper <= 1))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Invalid value for argument `scale`. Expected (lower, upper) with 0 < lower <= upper <= 1. Received: " +
                $"scale=({s.Lower}, {s.Upper})"), nameof(scale));
        }
        var r = ratio ?? (0.3, 3.3);
        if (!(r.Lower > 0 && r.Lower <= r.Upper) || double.IsInfinity(r.Upper))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Invalid value for argument `ratio`. Expected (lower, upper) with 0 < lower <= upper. Received: " +
                $"ratio=({r.Lower}, {r.Upper})"), nameof(ratio));
        }
        Probability = probability;
        Scale = s;
        Ratio = r;
        Value = value;
    }

    /// <summary>Chance that an image gets a rectangle.</summary>
    public double Probability { get; }

    /// <summary>Range of the erased area, as a fraction of the image.</summary>
    public (double Lower, double Upper) Scale { get; }

    /// <summary>Range of the rectangle's height / width.</summary>
    public (double Lower, double Upper) Ratio { get; }

    /// <summary>The value written into the rectangle.</summary>
    public double Value { get; }

    /// <inheritdoc />
    protected override Tensor Augment(Tensor images)
    {
        var (n, height, width) = (images.shape[0], images.shape[2], images.shape[3]);
        using var scope = NewDisposeScope();
        var area = Uniform(new[] { n }, images).mul(Scale.Upper - Scale.Lower).add(Scale.Lower).mul(height * width);
        var logRatio = Uniform(new[] { n }, images).mul(Math.Log(Ratio.Upper) - Math.Log(Ratio.Lower)).add(Math.Log(Ratio.Lower));
        var aspect = logRatio.exp();
        var h = area.mul(aspect).sqrt().round().clamp(1, height);
        var w = area.div(aspect).sqrt().round().clamp(1, width);
        var top = Uniform(new[] { n }, images).mul(h.neg().add(height + 1)).floor();
        var left = Uniform(new[] { n }, images).mul(w.neg().add(width + 1)).floor();
        var apply = Bernoulli(new[] { n }, Probability, images).to(ScalarType.Bool);
        var rows = arange(height, dtype: images.dtype, device: images.device).unsqueeze(0);
        var columns = arange(width, dtype: images.dtype, device: images.device).unsqueeze(0);
        var inRows = rows.ge(top.unsqueeze(1)).logical_and(rows.lt(top.add(h).unsqueeze(1)));
        var inColumns = columns.ge(left.unsqueeze(1)).logical_and(columns.lt(left.add(w).unsqueeze(1)));
        var mask = inRows.unsqueeze(2).logical_and(inColumns.unsqueeze(1)).logical_and(apply.reshape(n, 1, 1)).unsqueeze(1);
        var fill = full(Array.Empty<long>(), Value, dtype: images.dtype, device: images.device);
        return where(mask, fill, images).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void WriteConfig(JsonObject config)
    {
        config["probability"] = Probability;
        config["scale"] = new JsonArray(Scale.Lower, Scale.Upper);
        config["ratio"] = new JsonArray(Ratio.Lower, Ratio.Upper);
        config["value"] = Value;
    }

    /// <summary>The layer from its Keras config (Keras' defaults for absent keys).</summary>
    public static Layer FromConfig(LayerConfigReader config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new RandomErasing(config.Number("probability", 0.5), config.Range("scale", (0.02, 0.33)), config.Range("ratio", (0.3, 3.3)),
            config.Number("value", 0), config.Name);
    }
}

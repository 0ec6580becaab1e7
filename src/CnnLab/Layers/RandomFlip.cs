using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace CnnLab.Layers;

/// <summary>Keras' RandomFlip: in training, flips each image with probability
/// 1/2, horizontally, vertically or both (independently).</summary>
public sealed class RandomFlip : ImageAugmentation
{
    /// <summary>Creates the layer; mode is horizontal, vertical or horizontal_and_vertical (Keras' default).</summary>
    public RandomFlip(string mode = "horizontal_and_vertical", string? name = null)
        : base(name)
    {
        if (mode is not ("horizontal" or "vertical" or "horizontal_and_vertical"))
        {
            throw new ArgumentException(
                $"Invalid value for argument `mode`. Expected one of: horizontal, vertical, horizontal_and_vertical. Received: mode={mode}",
                nameof(mode));
        }
        Mode = mode;
    }

    /// <summary>horizontal, vertical or horizontal_and_vertical.</summary>
    public string Mode { get; }

    /// <inheritdoc />
    protected override Tensor Augment(Tensor images)
    {
        var result = images.alias();
        if (Mode != "vertical")
        {
            result = FlipSome(result, dimension: 3);
        }
        if (Mode != "horizontal")
        {
            result = FlipSome(result, dimension: 2);
        }
        return result;
    }

    private Tensor FlipSome(Tensor images, long dimension)
    {
        using (images)
        {
            using var chosen = Bernoulli(new[] { images.shape[0], 1L, 1L, 1L }, 0.5, images);
            using var flag = chosen.to(ScalarType.Bool);
            using var flipped = images.flip(dimension);
            return where(flag, flipped, images);
        }
    }

    /// <inheritdoc />
    protected override void WriteConfig(JsonObject config)
    {
        config["mode"] = Mode;
    }

    /// <summary>The layer from its Keras config (Keras' defaults for absent keys).</summary>
    public static Layer FromConfig(LayerConfigReader config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new RandomFlip(config.Text("mode", "horizontal_and_vertical"), config.Name);
    }
}

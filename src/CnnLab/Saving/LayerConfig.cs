using System.Text.Json.Nodes;
using CnnLab.Layers;

namespace CnnLab.Saving;

/// <summary>
/// Keras' layer configs: each layer as {"class_name": ..., "config": {...}} with Keras' argument names, and back.
/// Every setting that changes what the layer computes is written, so a rebuilt layer behaves the same; an unknown
/// class or a missing setting is an error naming the layer.
/// </summary>
public static class LayerConfig
{
    /// <summary>The layer's class name and configuration.</summary>
    public static JsonObject ToConfig(Layer layer)
    {
        var config = new JsonObject { ["name"] = layer.Name };
        switch (layer)
        {
            case Conv2D c:
                config["filters"] = c.Filters;
                config["kernel_size"] = Pair(c.KernelSize);
                config["strides"] = Pair(c.Strides);
                config["padding"] = c.Padding.ToKeras();
                config["use_bias"] = c.UseBias;
                config["activation"] = c.ActivationName;
                config["kernel_regularizer"] = Regularizer(c.KernelRegularizer);
                break;
            case Dense d:
                config["units"] = d.Units;
                config["activation"] = d.ActivationName;
                config["use_bias"] = d.UseBias;
                config["kernel_regularizer"] = Regularizer(d.KernelRegularizer);
                break;
            case Pooling2D p:
                config["pool_size"] = Pair(p.PoolSize);
                config["strides"] = Pair(p.Strides);
                config["padding"] = p.Padding.ToKeras();
                break;
            case BatchNormalization b:
                config["momentum"] = b.Momentum;
                config["epsilon"] = b.Epsilon;
                config["center"] = b.Center;
                config["scale"] = b.Scale;
                break;
            case Activation a:
                config["activation"] = a.ActivationName;
                break;
            case LeakyReLU l:
                config["negative_slope"] = l.Alpha;
                break;
            case ReLU r:
                config["max_value"] = r.MaxValue;
                break;
            case Dropout d:
                config["rate"] = d.Rate;
                break;
            case SpatialDropout2D s:
                config["rate"] = s.Rate;
                break;
            case GaussianNoise g:
                config["stddev"] = g.Stddev;
                break;
            case RandomFlip f:
                config["mode"] = f.Mode;
                break;
            case RandomTranslation t:
                config["height_factor"] = new JsonArray(t.HeightFactor.Lower, t.HeightFactor.Upper);
                config["width_factor"] = new JsonArray(t.WidthFactor.Lower, t.WidthFactor.Upper);
                config["fill_mode"] = FillName(t.Fill);
                config["fill_value"] = t.FillValue;
                break;
            case RandomRotation r:
                config["factor"] = new JsonArray(r.Factor.Lower, r.Factor.Upper);
                config["fill_mode"] = FillName(r.Fill);
                config["fill_value"] = r.FillValue;
                break;
            case RandomErasing e:
                config["probability"] = e.Probability;
                config["scale"] = new JsonArray(e.Scale.Lower, e.Scale.Upper);
                config["ratio"] = new JsonArray(e.Ratio.Lower, e.Ratio.Upper);
                config["value"] = e.Value;
                break;
            case Flatten:
                break;
            default:
                throw new NotSupportedException($"Layer \"{layer.Name}\" ({layer.TypeName}) has no config writer; it cannot be saved.");
        }
        return new JsonObject { ["class_name"] = layer.TypeName, ["config"] = config };
    }

    /// <summary>
    /// A new, unbuilt layer from a config written by <see cref="ToConfig"/>. Anything malformed is an
    /// <see cref="InvalidDataException"/> starting with <paramref name="where"/>, the layer's class and name, then
    /// the key, the value found and what is allowed.
    /// </summary>
    public static Layer FromConfig(JsonObject node, string where = "the layer config")
    {
        ArgumentNullException.ThrowIfNull(node);
        var className = JsonFields.Text(node, "class_name", where, $"a layer class: {string.Join(", ", Classes)}");
        var c = JsonFields.Object(node, "config", $"{where} ({className})", "an object with the layer's settings");
        var name = JsonFields.OptionalText(c, "name", $"{where} ({className})");
        var at = name is null ? $"{where} ({className})" : $"{where} ({className} \"{name}\")";
        try
        {
            return className switch
            {
                "Conv2D" => new Conv2D(JsonFields.Int(c, "filters", at), PairOf(c, "kernel_size", at), PairOf(c, "strides", at), PaddingOf(c, at),
                    JsonFields.Bool(c, "use_bias", at), ActivationOf(c, at), RegularizerOf(c, at), name),
                "Dense" => new Dense(JsonFields.Int(c, "units", at), ActivationOf(c, at), JsonFields.Bool(c, "use_bias", at), RegularizerOf(c, at), name),
                "MaxPooling2D" => new MaxPooling2D(PairOf(c, "pool_size", at), PairOf(c, "strides", at), PaddingOf(c, at), name),
                "AveragePooling2D" => new AveragePooling2D(PairOf(c, "pool_size", at), PairOf(c, "strides", at), PaddingOf(c, at), name),
                "BatchNormalization" => new BatchNormalization(JsonFields.Number(c, "momentum", at), JsonFields.Number(c, "epsilon", at),
                    JsonFields.Bool(c, "center", at), JsonFields.Bool(c, "scale", at), name),
                "Activation" => new Activation(JsonFields.Text(c, "activation", at, "an activation name"), name),
                "LeakyReLU" => new LeakyReLU(JsonFields.Number(c, "negative_slope", at), name),
                "ReLU" => new ReLU(JsonFields.OptionalNumber(c, "max_value", at), name),
                "Dropout" => new Dropout(JsonFields.Number(c, "rate", at), name),
                "SpatialDropout2D" => new SpatialDropout2D(JsonFields.Number(c, "rate", at), name),
                "GaussianNoise" => new GaussianNoise(JsonFields.Number(c, "stddev", at), name),
                "RandomFlip" => new RandomFlip(JsonFields.Text(c, "mode", at), name),
                "RandomTranslation" => new RandomTranslation(Range(c, "height_factor", at), Range(c, "width_factor", at), JsonFields.Text(c, "fill_mode", at),
                    JsonFields.Number(c, "fill_value", at), name),
                "RandomRotation" => new RandomRotation(Range(c, "factor", at), JsonFields.Text(c, "fill_mode", at), JsonFields.Number(c, "fill_value", at), name),
                "RandomErasing" => new RandomErasing(JsonFields.Number(c, "probability", at), Range(c, "scale", at), Range(c, "ratio", at),
                    JsonFields.Number(c, "value", at), name),
                "Flatten" => new Flatten(name),
                _ => throw JsonFields.Wrong(where, "class_name", node, $"a layer class: {string.Join(", ", Classes)}"),
            };
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException)
        {
            var message = e is ArgumentException { ParamName: { } parameter } ? e.Message.Replace($" (Parameter '{parameter}')", "", StringComparison.Ordinal) : e.Message;
            throw new InvalidDataException($"{at}: {message}");
        }
    }

    /// <summary>The layer classes <see cref="FromConfig"/> reads.</summary>
    public static IReadOnlyList<string> Classes { get; } = new[]
    {
        "Conv2D", "Dense", "MaxPooling2D", "AveragePooling2D", "BatchNormalization", "Activation", "LeakyReLU", "ReLU", "Dropout",
        "SpatialDropout2D", "GaussianNoise", "RandomFlip", "RandomTranslation", "RandomRotation", "RandomErasing", "Flatten",
    };

    private static JsonArray Pair(Size2 size) => new(size.Height, size.Width);

    private static JsonNode? Regularizer(Regularizer? r) => r is null ? null : new JsonObject { ["l1"] = r.L1, ["l2"] = r.L2 };

    private static string FillName(FillMode fill) => fill switch
    {
        FillMode.Constant => "constant",
        FillMode.Nearest => "nearest",
        _ => "reflect",
    };

    private static string? ActivationOf(JsonObject c, string at) => JsonFields.OptionalText(c, "activation", at, "an activation name or null");

    private static Padding PaddingOf(JsonObject c, string at) => PaddingRules.Parse(JsonFields.Text(c, "padding", at, "\"valid\" or \"same\""));

    private static Size2 PairOf(JsonObject c, string key, string at)
    {
        var array = c[key] as JsonArray;
        var pair = array is { Count: 2 } ? (JsonFields.IntOf(array[0]), JsonFields.IntOf(array[1])) : (null, null);
        return pair is (int height, int width) ? new Size2(height, width) : throw JsonFields.Wrong(at, key, c, "a pair of whole numbers [height, width]");
    }

    private static (double, double) Range(JsonObject c, string key, string at)
    {
        var array = c[key] as JsonArray;
        var pair = array is { Count: 2 } ? (JsonFields.NumberOf(array[0]), JsonFields.NumberOf(array[1])) : (null, null);
        return pair is (double lower, double upper) ? (lower, upper) : throw JsonFields.Wrong(at, key, c, "a pair of numbers [lower, upper]");
    }

    private static Regularizer? RegularizerOf(JsonObject c, string at)
    {
        const string expected = "null or an object {\"l1\": number, \"l2\": number}";
        return c["kernel_regularizer"] switch
        {
            null => null,
            JsonObject r => new Regularizer(JsonFields.OptionalNumber(r, "l1", $"{at}: \"kernel_regularizer\"") ?? 0,
                JsonFields.OptionalNumber(r, "l2", $"{at}: \"kernel_regularizer\"") ?? 0),
            _ => throw JsonFields.Wrong(at, "kernel_regularizer", c, expected),
        };
    }
}

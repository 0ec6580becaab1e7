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

    /// <summary>A new, unbuilt layer from a config written by <see cref="ToConfig"/>.</summary>
    public static Layer FromConfig(JsonObject node)
    {
        var className = node["class_name"]?.GetValue<string>() ?? throw new InvalidDataException("A layer config has no \"class_name\".");
        var c = node["config"] as JsonObject ?? throw new InvalidDataException($"The {className} layer config has no \"config\" object.");
        var name = c["name"]?.GetValue<string>();
        try
        {
            return className switch
            {
                "Conv2D" => new Conv2D(Int(c, "filters"), PairOf(c, "kernel_size"), PairOf(c, "strides"), PaddingRules.Parse(Text(c, "padding")),
                    Bool(c, "use_bias"), c["activation"]?.GetValue<string>(), RegularizerOf(c), name),
                "Dense" => new Dense(Int(c, "units"), c["activation"]?.GetValue<string>(), Bool(c, "use_bias"), RegularizerOf(c), name),
                "MaxPooling2D" => new MaxPooling2D(PairOf(c, "pool_size"), PairOf(c, "strides"), PaddingRules.Parse(Text(c, "padding")), name),
                "AveragePooling2D" => new AveragePooling2D(PairOf(c, "pool_size"), PairOf(c, "strides"), PaddingRules.Parse(Text(c, "padding")), name),
                "BatchNormalization" => new BatchNormalization(Number(c, "momentum"), Number(c, "epsilon"), Bool(c, "center"), Bool(c, "scale"), name),
                "Activation" => new Activation(Text(c, "activation"), name),
                "LeakyReLU" => new LeakyReLU(Number(c, "negative_slope"), name),
                "ReLU" => new ReLU(c["max_value"]?.GetValue<double>(), name),
                "Dropout" => new Dropout(Number(c, "rate"), name),
                "SpatialDropout2D" => new SpatialDropout2D(Number(c, "rate"), name),
                "GaussianNoise" => new GaussianNoise(Number(c, "stddev"), name),
                "RandomFlip" => new RandomFlip(Text(c, "mode"), name),
                "RandomTranslation" => new RandomTranslation(Range(c, "height_factor"), Range(c, "width_factor"), Text(c, "fill_mode"), Number(c, "fill_value"), name),
                "RandomRotation" => new RandomRotation(Range(c, "factor"), Text(c, "fill_mode"), Number(c, "fill_value"), name),
                "RandomErasing" => new RandomErasing(Number(c, "probability"), Range(c, "scale"), Range(c, "ratio"), Number(c, "value"), name),
                "Flatten" => new Flatten(name),
                _ => throw new InvalidDataException($"Unknown layer class \"{className}\" in the model config."),
            };
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException)
        {
            throw new InvalidDataException($"The {className} layer \"{name}\" has an invalid config: {e.Message}");
        }
    }

    private static JsonArray Pair(Size2 size) => new(size.Height, size.Width);

    private static JsonNode? Regularizer(Regularizer? r) => r is null ? null : new JsonObject { ["l1"] = r.L1, ["l2"] = r.L2 };

    private static string FillName(FillMode fill) => fill switch
    {
        FillMode.Constant => "constant",
        FillMode.Nearest => "nearest",
        _ => "reflect",
    };

    private static JsonNode Required(JsonObject c, string key) =>
        c[key] ?? throw new InvalidDataException($"missing \"{key}\"");

    private static int Int(JsonObject c, string key) => Required(c, key).GetValue<int>();

    private static double Number(JsonObject c, string key) => Required(c, key).GetValue<double>();

    private static bool Bool(JsonObject c, string key) => Required(c, key).GetValue<bool>();

    private static string Text(JsonObject c, string key) => Required(c, key).GetValue<string>();

    private static Size2 PairOf(JsonObject c, string key)
    {
        var array = Required(c, key).AsArray();
        return new Size2(array[0]!.GetValue<int>(), array[1]!.GetValue<int>());
    }

    private static (double, double) Range(JsonObject c, string key)
    {
        var array = Required(c, key).AsArray();
        return (array[0]!.GetValue<double>(), array[1]!.GetValue<double>());
    }

    private static Regularizer? RegularizerOf(JsonObject c) => c["kernel_regularizer"] is JsonObject r
        ? new Regularizer(r["l1"]?.GetValue<double>() ?? 0, r["l2"]?.GetValue<double>() ?? 0)
        : null;
}

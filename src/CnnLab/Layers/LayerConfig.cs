using System.Text.Json.Nodes;
using CnnLab.Formats.Json;
using CnnLab.Layers;

namespace CnnLab.Layers;

/// <summary>
/// Keras' layer configs in a model file: each layer as {"class_name": ..., "config": {...}}, the config being the
/// layer's own (<see cref="Layer.GetConfig"/>), read back through <see cref="LayerRegistry"/>. An unknown class or
/// key, or a value of the wrong kind, is an error naming the layer.
/// </summary>
public static class LayerConfig
{
    /// <summary>The layer's class name and configuration.</summary>
    public static JsonObject ToConfig(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        return new JsonObject { ["class_name"] = layer.TypeName, ["config"] = layer.GetConfig() };
    }

    /// <summary>
    /// A new, unbuilt layer from a config written by <see cref="ToConfig"/>. Anything malformed is an
    /// <see cref="InvalidDataException"/> starting with <paramref name="where"/>, the layer's class and name, then
    /// the key, the value found and what is allowed.
    /// </summary>
    public static Layer FromConfig(JsonObject node, string where = "the layer config")
    {
        ArgumentNullException.ThrowIfNull(node);
        var expected = $"a layer class: {string.Join(", ", Classes)}";
        var className = JsonFields.Text(node, "class_name", where, expected);
        if (LayerRegistry.ClassName(className) != className)
        {
            throw JsonFields.Wrong(where, "class_name", node, expected);
        }
        var config = JsonFields.Object(node, "config", $"{where} ({className})", "an object with the layer's settings");
        return LayerRegistry.Create(className, config, where, strict: true);
    }

    /// <summary>The layer classes <see cref="FromConfig"/> reads.</summary>
    public static IReadOnlyList<string> Classes => LayerRegistry.ClassNames;
}

using System.Text.Json.Nodes;
using CnnLab.Formats.Json;

namespace CnnLab.Models.Saving;

/// <summary>
/// The graph of a Keras functional config: which layers each layer takes its inputs from (its <c>inbound_nodes</c>, in
/// Keras 2's <c>[[["conv2d", 0, 0, {}], ...]]</c> form or Keras 3's <c>[{"args": [... {"keras_history": ["conv2d", 0,
/// 0]} ...]}]</c>), and the model's input and output. What CnnLab's graphs cannot be is refused in one line: a layer
/// called more than once (a shared layer), a layer with several outputs, several inputs or outputs to the model.
/// </summary>
internal static class KerasFunctional
{
    /// <summary>The names the layer takes its inputs from, in order; empty for an InputLayer.</summary>
    public static IReadOnlyList<string> Inbound(JsonObject node, string layerName, string where)
    {
        if (node["inbound_nodes"] is not JsonArray calls || calls.Count == 0)
        {
            return Array.Empty<string>();
        }
        if (calls.Count > 1)
        {
            throw new InvalidDataException($"{where}: layer \"{layerName}\" is called {calls.Count} times (a shared layer); CnnLab " +
                "builds each layer once, so it cannot import models that reuse a layer.");
        }
        var history = new List<JsonArray>();
        Collect(calls[0] is JsonObject keras3 ? keras3["args"] : calls[0], history, keras2: calls[0] is JsonArray, depth: 0);
        if (calls[0] is JsonObject withKwargs && withKwargs["kwargs"] is JsonObject kwargs)
        {
            var extra = new List<JsonArray>();
            Collect(kwargs, extra, keras2: false, depth: 0);
            if (extra.Count > 0)
            {
                throw new InvalidDataException($"{where}: layer \"{layerName}\" takes a tensor as a keyword argument (a mask or a " +
                    "second input by name), which CnnLab's layers do not have.");
            }
        }
        var names = new List<string>();
        foreach (var entry in history)
        {
            var name = entry.Count >= 3 ? JsonFields.TextOf(entry[0]) : null;
            var call = JsonFields.IntOf(entry.Count >= 3 ? entry[1] : null);
            var tensor = JsonFields.IntOf(entry.Count >= 3 ? entry[2] : null);
            if (name is null || call is null || tensor is null)
            {
                throw new InvalidDataException($"{where}: layer \"{layerName}\" has an inbound node {Short(entry)}; expected " +
                    "[layer name, call index, tensor index].");
            }
            if (call != 0 || tensor != 0)
            {
                throw new InvalidDataException($"{where}: layer \"{layerName}\" takes output {tensor} of call {call} of layer " +
                    $"\"{name}\"; " +
                    "CnnLab imports layers called once with one output.");
            }
            names.Add(name);
        }
        if (names.Count == 0)
        {
            throw new InvalidDataException($"{where}: layer \"{layerName}\" has an inbound node that names no layer.");
        }
        return names;
    }

    /// <summary>The layer named by the config's <c>input_layers</c> or <c>output_layers</c>; null when absent; several refused.</summary>
    public static string? End(JsonObject config, string key, string path)
    {
        if (config[key] is not JsonArray ends || ends.Count == 0)
        {
            return null;
        }
        // Keras 2 writes [["input_1", 0, 0]]; Keras 3 may write one ["input_layer", 0, 0].
        var list = ends[0] is JsonArray ? ends.ToList() : new List<JsonNode?> { ends };
        if (list.Count > 1)
        {
            var what = key == "input_layers" ? "inputs" : "outputs";
            throw new InvalidDataException($"{path}: the model has {list.Count} {what}; CnnLab imports models with one input and " +
                "one output.");
        }
        return (list[0] as JsonArray)?.FirstOrDefault() is { } first ? JsonFields.TextOf(first) : null;
    }

    /// <summary>Every <c>[name, call, tensor]</c> in an inbound node, in order (bounded depth: a config is parsed with a
    /// nesting limit, and Keras nests a merge's list in one more level).</summary>
    private static void Collect(JsonNode? node, List<JsonArray> found, bool keras2, int depth)
    {
        if (node is null || depth > 8)
        {
            return;
        }
        switch (node)
        {
            case JsonArray array when keras2 && depth == 0:
                found.AddRange(array.OfType<JsonArray>());
                break;
            case JsonObject tensor when tensor["config"] is JsonObject config && config["keras_history"] is JsonArray history:
                found.Add(history);
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Collect(item, found, keras2, depth + 1);
                }
                break;
            case JsonObject map:
                foreach (var (_, value) in map)
                {
                    Collect(value, found, keras2, depth + 1);
                }
                break;
        }
    }

    private static string Short(JsonNode node)
    {
        var text = node.ToJsonString();
        return text.Length <= 60 ? text : text[..57] + "...";
    }
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CnnLab.Core;
using CnnLab.Formats.Json;
using CnnLab.Layers;

namespace CnnLab.Models.Saving;

/// <summary>
/// A functional model's architecture as JSON, and the graph built back from named layers and the names each takes
/// its inputs from: CnnLab's own config (<c>{"class_name": "Functional", "config": {..., "layers": [{"class_name",
/// "config", "inbound": ["conv2d", "input_1"]}]}}</c>) and Keras' functional files share <see cref="Build"/>, which
/// refuses unknown names, cycles, layers that lead nowhere and shared layers in one line each.
/// </summary>
public static class FunctionalConfig
{
    /// <summary>One layer of a graph config: the layer (made, not built), the names it takes its inputs from, and where
    /// it is in the file (for errors).</summary>
    public sealed record Entry(Layer Layer, IReadOnlyList<string> Inbound, string At);

    /// <summary>The architecture as JSON, each layer with the names of its inputs.</summary>
    public static string ToJson(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var layers = model.Layers.Zip(model.InboundNames).Select(p =>
        {
            var config = LayerConfig.ToConfig(p.First);
            config["inbound"] = new JsonArray(p.Second.Select(n => (JsonNode?)n).ToArray());
            return (JsonNode)config;
        }).ToArray();
        var root = new JsonObject
        {
            ["class_name"] = "Functional",
            ["config"] = new JsonObject
            {
                ["name"] = model.ModelName,
                ["input_name"] = model.InputName,
                ["input_shape"] = new JsonArray(model.InputShape!.Dimensions.Select(d => (JsonNode)d).ToArray()),
                ["output"] = model.Layers[^1].Name,
                ["layers"] = new JsonArray(layers),
            },
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>
    /// The model of CnnLab's functional config (<paramref name="config"/>: the object under "config"); errors name
    /// the layer and the key. <paramref name="budget"/> checks each layer's weights before they are made.
    /// </summary>
    internal static Model FromConfig(JsonObject config, string at, Shape inputShape, Action<Layer, Shape>? budget)
    {
        var layers = JsonFields.Array(config, "layers", at, "a list of layer configs with their \"inbound\" names");
        ModelFile.RequireLayerCount(layers.Count, at);
        var entries = new List<Entry>();
        try
        {
            for (var i = 0; i < layers.Count; i++)
            {
                var where = $"layer {i + 1} of {layers.Count} in \"layers\"";
                var node = layers[i] as JsonObject
                    ?? throw new InvalidDataException($"{where} is {JsonFields.Describe(layers[i])}; expected an object " +
                        "{\"class_name\": ..., \"config\": {...}, \"inbound\": [...]}.");
                var inbound = JsonFields.Array(node, "inbound", where, "a list of the names the layer takes its inputs from");
                if (inbound.Count is 0 or > Merge.MaxInputs)
                {
                    throw JsonFields.Wrong(where, "inbound", node, $"1 to {Merge.MaxInputs:N0} names");
                }
                var names = inbound.Select(JsonFields.TextOf).ToList();
                if (names.Any(n => n is null))
                {
                    throw JsonFields.Wrong(where, "inbound", node, "a list of names (text)");
                }
                var copy = new JsonObject { ["class_name"] = node["class_name"]?.DeepClone(), ["config"] = node["config"]?.DeepClone() };
                entries.Add(new Entry(LayerConfig.FromConfig(copy, where), names!, where));
            }
        }
        catch
        {
            Dispose(entries);
            throw;
        }
        var inputName = JsonFields.OptionalText(config, "input_name", at) ?? "input_1";
        var output = JsonFields.OptionalText(config, "output", at) ?? Sink(entries);
        return Build(inputShape, inputName, entries, output, JsonFields.OptionalText(config, "name", at) ?? "model", budget);
    }

    /// <summary>
    /// The model whose layers take their inputs as <paramref name="entries"/> name them, from the input
    /// <paramref name="inputName"/> to the layer <paramref name="output"/>. Layers are given their names (config
    /// names are kept), called in an order where each follows its inputs, and built with weights from
    /// <paramref name="seed"/>. The
    /// entries' layers belong to the model, or are disposed when anything is refused.
    /// </summary>
    public static Model Build(Shape inputShape, string inputName, IReadOnlyList<Entry> entries, string output, string name,
        Action<Layer, Shape>? budget = null, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(entries);
        try
        {
            var byName = new Dictionary<string, Entry>(StringComparer.Ordinal);
            foreach (var entry in entries)
            {
                if (entry.Layer.Name == inputName || !byName.TryAdd(entry.Layer.Name, entry))
                {
                    throw new InvalidDataException($"{entry.At}: the name \"{entry.Layer.Name}\" is used twice in the model; every " +
                        "layer (and the input) needs its own name.");
                }
            }
            foreach (var entry in entries)
            {
                if (entry.Inbound.FirstOrDefault(n => n != inputName && !byName.ContainsKey(n)) is { } unknown)
                {
                    throw new InvalidDataException($"{entry.At}: layer \"{entry.Layer.Name}\" takes its input from \"{unknown}\", " +
                        $"which is neither the input (\"{inputName}\") nor a layer of the model.");
                }
            }
            if (!byName.ContainsKey(output))
            {
                throw new InvalidDataException($"the model's output \"{output}\" is not one of its layers.");
            }
            var tensors = new Dictionary<string, KerasTensor>(StringComparer.Ordinal) { [inputName] = Model.Input(inputShape, inputName) };
            foreach (var entry in Ordered(entries, inputName))
            {
                var inputs = entry.Inbound.Select(n => tensors[n]).ToArray();
                try
                {
                    if (inputs.Length == 1 && entry.Layer is not Merge)
                    {
                        budget?.Invoke(entry.Layer, inputs[0].Shape);
                    }
                    tensors[entry.Layer.Name] = entry.Layer.Call(inputs);
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or OverflowException)
                {
                    throw new InvalidDataException($"{entry.At}: layer \"{entry.Layer.Name}\" ({entry.Layer.TypeName}) cannot take " +
                        $"{string.Join(" and ", inputs.Select(i => i.Shape.ToString()))}: {e.Message}");
                }
            }
            var unused = entries.Select(e => e.Layer.Name).Except(Ancestors(entries, byName, output, inputName)).FirstOrDefault();
            if (unused is not null)
            {
                throw new InvalidDataException($"{byName[unused].At}: layer \"{unused}\" does not lead to the model's output " +
                    $"\"{output}\"; " +
                    "a model has one output, so every layer must contribute to it.");
            }
            try
            {
                return new Model(tensors[inputName], tensors[output], seed, name);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException(e.Message);
            }
        }
        catch
        {
            Dispose(entries);
            throw;
        }
    }

    /// <summary>The one layer no other layer reads (the output of a config that does not name it); "" when there is none.</summary>
    private static string Sink(IReadOnlyList<Entry> entries)
    {
        var read = entries.SelectMany(e => e.Inbound).ToHashSet(StringComparer.Ordinal);
        var sinks = entries.Where(e => !read.Contains(e.Layer.Name)).ToList();
        return sinks.Count == 1 ? sinks[0].Layer.Name : entries.LastOrDefault()?.Layer.Name ?? "";
    }

    /// <summary>The entries with each after its inputs (Kahn's algorithm); a cycle is named.</summary>
    private static List<Entry> Ordered(IReadOnlyList<Entry> entries, string inputName)
    {
        var waiting = entries.ToDictionary(e => e.Layer.Name, e => e.Inbound.Where(n => n != inputName).Distinct().Count(),
            StringComparer.Ordinal);
        var readers = entries.SelectMany(e => e.Inbound.Where(n => n != inputName).Distinct().Select(n => (From: n, To: e)))
            .ToLookup(p => p.From, p => p.To, StringComparer.Ordinal);
        // The ready layer listed first goes next, so a config listed in a valid order keeps it.
        var index = entries.Select((e, i) => (e, i)).ToDictionary(p => p.e, p => p.i);
        var ready = new PriorityQueue<Entry, int>(entries.Where(e => waiting[e.Layer.Name] == 0).Select(e => (e, index[e])));
        var order = new List<Entry>();
        while (ready.TryDequeue(out var next, out _))
        {
            order.Add(next);
            foreach (var reader in readers[next.Layer.Name])
            {
                if (--waiting[reader.Layer.Name] == 0)
                {
                    ready.Enqueue(reader, index[reader]);
                }
            }
        }
        if (order.Count < entries.Count)
        {
            var cycle = InCycle(entries.Where(e => waiting[e.Layer.Name] > 0).ToList(), inputName);
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{cycle[0].At}: the layers {string.Join(", ", cycle.Take(5).Select(e => $"\"{e.Layer.Name}\""))} take their " +
                $"inputs from each other in a cycle; a model's layers must lead from the input to the output without loops."));
        }
        return order;
    }

    /// <summary>Of the layers Kahn's algorithm left, those on a cycle: the ones downstream of it (read by none) peeled off.</summary>
    private static List<Entry> InCycle(List<Entry> left, string inputName)
    {
        var readers = left.ToDictionary(e => e.Layer.Name, _ => 0, StringComparer.Ordinal);
        foreach (var from in left.SelectMany(e => e.Inbound.Where(n => n != inputName && readers.ContainsKey(n)).Distinct()))
        {
            readers[from]++;
        }
        var byName = left.ToDictionary(e => e.Layer.Name, StringComparer.Ordinal);
        var peel = new Queue<Entry>(left.Where(e => readers[e.Layer.Name] == 0));
        var removed = new HashSet<string>(StringComparer.Ordinal);
        while (peel.TryDequeue(out var next))
        {
            removed.Add(next.Layer.Name);
            foreach (var from in next.Inbound.Where(n => n != inputName && byName.ContainsKey(n)).Distinct())
            {
                if (--readers[from] == 0)
                {
                    peel.Enqueue(byName[from]);
                }
            }
        }
        return left.Where(e => !removed.Contains(e.Layer.Name)).ToList();
    }

    /// <summary>The names of the layers the output is computed from, itself included.</summary>
    private static HashSet<string> Ancestors(IReadOnlyList<Entry> entries, Dictionary<string, Entry> byName, string output,
        string inputName)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { output };
        var stack = new Stack<string>(new[] { output });
        while (stack.Count > 0)
        {
            foreach (var from in byName[stack.Pop()].Inbound.Where(n => n != inputName && seen.Add(n)))
            {
                stack.Push(from);
            }
        }
        return seen;
    }

    private static void Dispose(IEnumerable<Entry> entries)
    {
        foreach (var entry in entries)
        {
            entry.Layer.Dispose();
        }
    }
}

using System.Globalization;
using CnnLab.Core;
using CnnLab.Layers;

namespace CnnLab.Models.Saving;

/// <summary>A Keras functional config's layers as a CnnLab graph: a chain stays a <see cref="Sequential"/>, anything else
/// becomes a <see cref="Model"/> through <see cref="FunctionalConfig.Build"/>.</summary>
internal static class KerasGraph
{
    /// <summary>Whether each layer takes its one input from the one before it (the first from the input).</summary>
    public static bool IsChain(IReadOnlyList<string?> names, IReadOnlyList<IReadOnlyList<string>> inbound, string? inputName) =>
        inbound.Count == names.Count && Enumerable.Range(0, names.Count).All(i =>
            inbound[i].Count == 1 && inbound[i][0] == (i == 0 ? inputName : names[i - 1]));

    /// <summary>
    /// The functional model of the layers (made in order by each entry's function), checked against the bytes of
    /// weights the file holds layer by layer before any weight is made, as a chain is.
    /// </summary>
    public static Model Build(string path, string name, Shape inputShape, string inputName, string? output,
        IReadOnlyList<(Func<Layer> Create, IReadOnlyList<string> Inbound, string At)> layers, long? weightBytes)
    {
        var entries = new List<FunctionalConfig.Entry>();
        try
        {
            foreach (var (create, inbound, at) in layers)
            {
                if (inbound.Count > Merge.MaxInputs)
                {
                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                        $"{at} takes {inbound.Count:N0} inputs, more than the {Merge.MaxInputs:N0} a merge layer may take."));
                }
                entries.Add(new FunctionalConfig.Entry(create(), inbound, at));
            }
        }
        catch
        {
            foreach (var entry in entries)
            {
                entry.Layer.Dispose();
            }
            throw;
        }
        long total = 0;
        var budget = weightBytes is { } bytes ? ModelLimits.FileWeightBudget(bytes / 4) : long.MaxValue;
        try
        {
            return FunctionalConfig.Build(inputShape, inputName, entries, output ?? entries.LastOrDefault()?.Layer.Name ?? "", name,
                (layer, shape) =>
                {
                    total = checked(total + layer.ExpectedWeightCount(shape));
                    if (total > budget)
                    {
                        throw new InvalidDataException($"layer \"{layer.Name}\" ({layer.TypeName}) would bring the model to " +
                            $"{total:N0} weights, more than {weightBytes:N0} bytes of weights can hold ({budget:N0} at most); the " +
                            "file is damaged or its config does not match its weights.");
                    }
                });
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException(e.Message.StartsWith(path, StringComparison.Ordinal) ? e.Message : $"{path}: {e.Message}");
        }
    }

    /// <summary>For each layer, the layer it takes its one input from; null for the model's input or a merge.</summary>
    public static Func<Layer, Layer?> Before(KerasModel model)
    {
        // Built once per model: a walk back through 10,000 layers must not rebuild the graph at every step.
        var before = new Dictionary<Layer, Layer?>(ReferenceEqualityComparer.Instance);
        if (model is Model functional)
        {
            var byName = model.Layers.ToDictionary(l => l.Name, StringComparer.Ordinal);
            foreach (var (layer, inbound) in model.Layers.Zip(functional.InboundNames))
            {
                before[layer] = inbound.Count == 1 && inbound[0] != functional.InputName ? byName[inbound[0]] : null;
            }
        }
        else
        {
            for (var i = 0; i < model.Layers.Count; i++)
            {
                before[model.Layers[i]] = i > 0 ? model.Layers[i - 1] : null;
            }
        }
        return layer => before.GetValueOrDefault(layer);
    }

    /// <summary>
    /// Refuses a graph that merges (Concatenate, Add, ...) features a Flatten took from an image with several pixels
    /// and channels: Keras orders them height-width-channel, CnnLab's Flatten channel-major, and the reordering of the
    /// Dense after it is done for one Flatten's features, not for parts of a merge. Better refused than wrong.
    /// </summary>
    public static void RequireNoMergedFlattenedImages(Model model, string path)
    {
        var byName = model.Layers.ToDictionary(l => l.Name, StringComparer.Ordinal);
        var inbound = model.Layers.Zip(model.InboundNames).ToDictionary(p => p.First.Name, p => p.Second, StringComparer.Ordinal);
        foreach (var merge in model.Layers.OfType<Merge>().Where(m => m.InputShape is { Rank: 1 }))
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var stack = new Stack<string>(inbound[merge.Name]);
            while (stack.Count > 0)
            {
                var name = stack.Pop();
                if (!byName.TryGetValue(name, out var layer) || !seen.Add(name) || layer is Dense or Reshape)
                {
                    continue;
                }
                if (layer is Flatten && layer.InputShape is { Rank: 3 } image && image.Height * image.Width > 1 && image.Channels > 1)
                {
                    throw new InvalidDataException($"{path}: layer \"{merge.Name}\" ({merge.TypeName}) merges the features Flatten " +
                        $"\"{layer.Name}\" took from an image {image}; Keras orders them height-width-channel and CnnLab's Flatten " +
                        "channel-major, and CnnLab does not reorder the weights after a merge of them, so it refuses the file rather " +
                        "than compute something else.");
                }
                foreach (var from in inbound[name])
                {
                    stack.Push(from);
                }
            }
        }
    }
}

using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CnnLab.Core;
using CnnLab.Layers;

namespace CnnLab.Models;

/// <summary>One layer of a <see cref="LayerListModel"/>: Keras' class name and config, and the study file's line for errors.</summary>
public sealed record LayerSpec(string ClassName, JsonObject Config)
{
    /// <summary>
    /// The names of the layers (or <see cref="LayerListModel.InputName"/>) this layer takes its inputs from: a graph's
    /// entry; null for the layer before it, as in a chain.
    /// </summary>
    public IReadOnlyList<string>? Inputs { get; init; }

    /// <summary>Where the layer was written ("study.yaml, line 12"), for errors; not part of the model.</summary>
    [JsonIgnore]
    public string Where { get; init; } = "a layer";
}

/// <summary>
/// A model written as Keras' list of layers (a study file's <c>model: {input_shape: [...], layers: [...]}</c>): a chain
/// of CnnLab's layers, or a graph when entries name their <c>inputs</c> (residual Adds, Concatenated branches), each
/// layer created through <see cref="LayerRegistry"/> from its config.
/// </summary>
public sealed record LayerListModel(IReadOnlyList<int>? InputShape, IReadOnlyList<LayerSpec> Layers)
{
    /// <summary>The name a graph entry's <c>inputs</c> gives the model's input.</summary>
    public const string InputName = "input";

    /// <summary>
    /// Builds the model for the data's input shape (which must equal <see cref="InputShape"/> when given) and class
    /// count (the last layer's output must have that many units), with initial weights from <paramref name="seed"/>: a
    /// <see cref="Sequential"/> chain, or a functional <see cref="Model"/> when any layer names its <c>inputs</c>.
    /// </summary>
    public KerasModel Build(Shape inputShape, int classes, long seed)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (InputShape is { } declared && !declared.SequenceEqual(inputShape.Dimensions))
        {
            throw new ArgumentException($"the model's input_shape [{string.Join(", ", declared)}] is not the data's {inputShape}; " +
                                        $"write input_shape: [{string.Join(", ", inputShape.Dimensions)}] or leave it out to " +
                                        $"take the data's.");
        }
        if (Layers.Any(l => l.Inputs is not null))
        {
            return Graph(inputShape, classes, seed);
        }
        var model = new Sequential(inputShape, seed);
        try
        {
            foreach (var spec in Layers)
            {
                var layer = LayerRegistry.Create(spec.ClassName, spec.Config.DeepClone().AsObject(), spec.Where, strict: true);
                try
                {
                    model.Add(layer);
                }
                catch
                {
                    layer.Dispose();
                    throw;
                }
            }
            var output = model.OutputShape!;
            if (output.Rank != 1 || output.Channels != classes)
            {
                throw new ArgumentException($"the last layer gives {output}, but the data has {classes} classes; end the list with " +
                                            $"dense: {{units: {classes}, activation: softmax}}.");
            }
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    /// <summary>
    /// Null when every name a graph entry's <c>inputs</c> gives is a layer of the list (its own name, or the one Keras
    /// would give it: conv2d, conv2d_1, ...) or <see cref="InputName"/>; else the first entry that names something else.
    /// </summary>
    public string? UnknownInput()
    {
        var layers = new List<Layer>();
        try
        {
            foreach (var spec in Layers)
            {
                layers.Add(LayerRegistry.Create(spec.ClassName, spec.Config.DeepClone().AsObject(), spec.Where, strict: true));
            }
            var names = new FunctionalGraph.Names(InputName, layers);
            var known = layers.Select(names.Unique).Append(InputName).ToHashSet(StringComparer.Ordinal);
            return Layers.Where(l => l.Inputs is not null).SelectMany(l => l.Inputs!.Where(n => !known.Contains(n))
                .Select(n => $"{l.Where}: `inputs` names \"{n}\", which is neither `{InputName}` nor a layer of the list (layers " +
                    $"are named by their `name`, or as Keras names them: conv2d, conv2d_1, ...)")).FirstOrDefault();
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException)
        {
            return e.Message;
        }
        finally
        {
            layers.ForEach(l => l.Dispose());
        }
    }

    /// <summary>
    /// The list as a graph: each layer takes its inputs from the layers its <c>inputs</c> names (the one before it when
    /// it names none), the last layer is the output. Layers without a name get Keras' (conv2d, conv2d_1, ...).
    /// </summary>
    private Model Graph(Shape inputShape, int classes, long seed)
    {
        var layers = new List<Layer>();
        try
        {
            foreach (var spec in Layers)
            {
                layers.Add(LayerRegistry.Create(spec.ClassName, spec.Config.DeepClone().AsObject(), spec.Where, strict: true));
            }
            var names = new FunctionalGraph.Names(InputName, layers);
            foreach (var layer in layers)
            {
                layer.AssignName(names.Unique(layer));
            }
        }
        catch
        {
            layers.ForEach(l => l.Dispose());
            throw;
        }
        var entries = Layers.Select((spec, i) => new Saving.FunctionalConfig.Entry(layers[i],
            spec.Inputs ?? new[] { i == 0 ? InputName : layers[i - 1].Name }, spec.Where)).ToList();
        Model model;
        try
        {
            model = Saving.FunctionalConfig.Build(inputShape, InputName, entries, layers[^1].Name, "model", seed: seed);
        }
        catch (InvalidDataException e)
        {
            throw new ArgumentException(e.Message);
        }
        var output = model.OutputShape!;
        if (output.Rank != 1 || output.Channels != classes)
        {
            model.Dispose();
            throw new ArgumentException($"the last layer gives {output}, but the data has {classes} classes; end the list with " +
                                        $"dense: {{units: {classes}, activation: softmax}}.");
        }
        return model;
    }
}

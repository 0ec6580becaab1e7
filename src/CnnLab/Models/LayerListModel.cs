using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CnnLab.Core;
using CnnLab.Layers;

namespace CnnLab.Models;

/// <summary>One layer of a <see cref="LayerListModel"/>: Keras' class name and config, and the study file's line for errors.</summary>
public sealed record LayerSpec(string ClassName, JsonObject Config)
{
    /// <summary>Where the layer was written ("study.yaml, line 12"), for errors; not part of the model.</summary>
    [JsonIgnore]
    public string Where { get; init; } = "a layer";
}

/// <summary>
/// A model written as Keras' list of layers (a study file's <c>model: {input_shape: [...], layers: [...]}</c>): any
/// Sequential architecture of CnnLab's layers, each created through <see cref="LayerRegistry"/> from its config.
/// </summary>
public sealed record LayerListModel(IReadOnlyList<int>? InputShape, IReadOnlyList<LayerSpec> Layers)
{
    /// <summary>
    /// Builds the model for the data's input shape (which must equal <see cref="InputShape"/> when given) and class
    /// count (the last layer's output must have that many units), with initial weights from <paramref name="seed"/>.
    /// </summary>
    public Sequential Build(Shape inputShape, int classes, long seed)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (InputShape is { } declared && !declared.SequenceEqual(inputShape.Dimensions))
        {
            throw new ArgumentException($"the model's input_shape [{string.Join(", ", declared)}] is not the data's {inputShape}; " +
                                        $"write input_shape: [{string.Join(", ", inputShape.Dimensions)}] or leave it out to " +
                                        $"take the data's.");
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
}

using System.Text.Json.Nodes;
using CnnLab.Core;
using static TorchSharp.torch;

namespace CnnLab.Layers;

/// <summary>Keras' Multiply: the element-wise product of its inputs (gates, attention masks).</summary>
public sealed class Multiply : Merge
{
    /// <summary>Creates the layer.</summary>
    public Multiply(string? name = null)
        : base(name)
    {
    }

    /// <inheritdoc />
    protected override Shape MergedShape(IReadOnlyList<Shape> inputShapes) => SameShape(inputShapes);

    /// <inheritdoc />
    internal override Tensor Combine(IReadOnlyList<Tensor> inputs)
    {
        var product = inputs[0].mul(inputs[1]);
        for (var i = 2; i < inputs.Count; i++)
        {
            product.mul_(inputs[i]);
        }
        return product;
    }

    /// <inheritdoc />
    // ONNX's Mul takes two inputs: a chain of them for more.
    internal override void ToOnnx(Formats.Onnx.OnnxGraph graph, IReadOnlyList<string> inputs)
    {
        graph.Node("Mul", inputs.Count == 2 ? Name : $"{Name}/1", new() { inputs[0], inputs[1] });
        for (var i = 2; i < inputs.Count; i++)
        {
            graph.Node("Mul", i == inputs.Count - 1 ? Name : $"{Name}/{i}", new() { graph.Current, inputs[i] });
        }
    }

    /// <inheritdoc />
    internal override string ToPyTorch(IReadOnlyList<string> inputs) => string.Join(" * ", inputs);

    /// <inheritdoc />
    protected override void WriteConfig(JsonObject config)
    {
        // No settings beyond the name.
    }

    /// <summary>The layer from its Keras config.</summary>
    public static Layer FromConfig(LayerConfigReader config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Multiply(config.Name);
    }
}

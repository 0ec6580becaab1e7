using System.Text.Json.Nodes;
using CnnLab.Core;
using static TorchSharp.torch;

namespace CnnLab.Layers;

/// <summary>Keras' Add: the element-wise sum of its inputs (a residual connection: <c>new Add().Call(x, shortcut)</c>).</summary>
public sealed class Add : Merge
{
    /// <summary>Creates the layer.</summary>
    public Add(string? name = null)
        : base(name)
    {
    }

    /// <inheritdoc />
    protected override Shape MergedShape(IReadOnlyList<Shape> inputShapes) => SameShape(inputShapes);

    /// <inheritdoc />
    internal override Tensor Combine(IReadOnlyList<Tensor> inputs) => Sum(inputs);

    /// <inheritdoc />
    // ONNX's Sum takes any number of inputs of one shape.
    internal override void ToOnnx(Formats.Onnx.OnnxGraph graph, IReadOnlyList<string> inputs) =>
        graph.Node("Sum", Name, inputs.ToList());

    /// <inheritdoc />
    internal override string ToPyTorch(IReadOnlyList<string> inputs) => string.Join(" + ", inputs);

    /// <inheritdoc />
    protected override void WriteConfig(JsonObject config)
    {
        // No settings beyond the name.
    }

    /// <summary>The layer from its Keras config.</summary>
    public static Layer FromConfig(LayerConfigReader config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Add(config.Name);
    }
}

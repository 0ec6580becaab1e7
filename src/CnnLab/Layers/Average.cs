using System.Text.Json.Nodes;
using CnnLab.Core;
using static TorchSharp.torch;

namespace CnnLab.Layers;

/// <summary>Keras' Average: the element-wise mean of its inputs.</summary>
public sealed class Average : Merge
{
    /// <summary>Creates the layer.</summary>
    public Average(string? name = null)
        : base(name)
    {
    }

    /// <inheritdoc />
    protected override Shape MergedShape(IReadOnlyList<Shape> inputShapes) => SameShape(inputShapes);

    /// <inheritdoc />
    internal override Tensor Combine(IReadOnlyList<Tensor> inputs) => Sum(inputs).div_(inputs.Count);

    /// <inheritdoc />
    // ONNX's Mean takes any number of inputs of one shape.
    internal override void ToOnnx(Formats.Onnx.OnnxGraph graph, IReadOnlyList<string> inputs) =>
        graph.Node("Mean", Name, inputs.ToList());

    /// <inheritdoc />
    internal override string ToPyTorch(IReadOnlyList<string> inputs) => $"({string.Join(" + ", inputs)}) / {inputs.Count}";

    /// <inheritdoc />
    protected override void WriteConfig(JsonObject config)
    {
        // No settings beyond the name.
    }

    /// <summary>The layer from its Keras config.</summary>
    public static Layer FromConfig(LayerConfigReader config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Average(config.Name);
    }
}

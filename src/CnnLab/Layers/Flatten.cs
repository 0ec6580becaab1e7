using System.Text.Json.Nodes;
using CnnLab.Core;
using CnnLab.Formats.Onnx;
using CnnLab.Formats.PyTorch;
using static TorchSharp.torch;

namespace CnnLab.Layers;

/// <summary>Keras' Flatten: every axis but the batch one into one (channel-major, as torch.nn.Flatten).</summary>
public sealed class Flatten : Layer
{
    /// <summary>Creates the layer.</summary>
    public Flatten(string? name = null)
        : base(name)
    {
    }

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape) => new(checked((int)inputShape.Size));

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => input.flatten(1);

    /// <inheritdoc />
    protected override void WriteConfig(JsonObject config)
    {
        // Flatten has no settings beyond its name.
    }

    /// <summary>The layer from its Keras config (Keras' defaults for absent keys).</summary>
    public static Layer FromConfig(LayerConfigReader config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Flatten(config.Name);
    }

    /// <inheritdoc />
    internal override void ToOnnx(OnnxGraph graph)
    {
        // N x C x H x W flattened channel-major, as here; the next Dense's kernel is in that order.
        if (InputShape!.Rank > 1)
        {
            graph.Unary("Flatten", Name, OnnxGraph.Int("axis", 1));
        }
    }

    /// <inheritdoc />
    // NCHW flattened channel-major, as here; the Dense weights follow this order.
    internal override void ToPyTorch(PyTorchModule module) => module.Emit("nn.Flatten()");
}

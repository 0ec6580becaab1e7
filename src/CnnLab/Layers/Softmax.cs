using System.Text.Json.Nodes;
using CnnLab.Core;
using CnnLab.Formats.Json;
using CnnLab.Formats.Onnx;
using CnnLab.Formats.PyTorch;
using static TorchSharp.torch;

namespace CnnLab.Layers;

/// <summary>
/// Keras' Softmax layer over the channel axis (axis -1, Keras' default): the probabilities a classifier's last Dense
/// often ends in when the model was written with a separate layer. A model ending in it trains from the logits.
/// </summary>
public sealed class Softmax : Layer
{
    /// <summary>Creates the layer.</summary>
    public Softmax(string? name = null)
        : base(name)
    {
    }

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        // In float32 under mixed precision too, as Keras advises for a model's output.
        using var wide = Engine.MixedPrecision.Float32(input);
        return wide.softmax(1);
    }

    /// <inheritdoc />
    protected override void WriteConfig(JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config["axis"] = -1;
    }

    /// <summary>The layer from its Keras config: the channel axis only.</summary>
    public static Layer FromConfig(LayerConfigReader config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Has("axis") && JsonFields.IntOf(config.Json("axis")) is not -1)
        {
            throw new ArgumentException(
                $"Invalid value for argument `axis`. CnnLab's Softmax works over the channel axis only (-1). Received: " +
                $"axis={JsonFields.Describe(config.Json("axis"))}",
                "axis");
        }
        return new Softmax(config.Name);
    }

    internal override bool EndsWithSoftmax => true;

    /// <summary>The logits are this layer's input.</summary>
    internal override Tensor ForwardLogits(Tensor input) => input;

    /// <inheritdoc />
    internal override void ToOnnx(OnnxGraph graph) => graph.Unary("Softmax", Name, OnnxGraph.Int("axis", 1));

    /// <inheritdoc />
    internal override void ToPyTorch(PyTorchModule module) => module.Emit("nn.Softmax(dim=1)");
}

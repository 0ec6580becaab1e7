using System.Text.Json.Nodes;
using CnnLab.Core;
using CnnLab.Formats.Onnx;
using CnnLab.Formats.PyTorch;
using static TorchSharp.torch;

namespace CnnLab.Layers;

/// <summary>Keras' GlobalAveragePooling2D: the mean of each channel over height and width, (h, w, c) to (c).</summary>
public sealed class GlobalAveragePooling2D : Layer
{
    /// <summary>Creates the layer.</summary>
    public GlobalAveragePooling2D(string? name = null)
        : base(name)
    {
    }

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        return inputShape.Rank == 3 ? new Shape(inputShape.Channels)
            : throw new ArgumentException($"Layer \"{Name}\" (GlobalAveragePooling2D) takes an image (height, width, channels); " +
                $"received input shape {inputShape}.");
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => input.mean(new long[] { 2, 3 });

    /// <inheritdoc />
    protected override void WriteConfig(JsonObject config)
    {
        // No settings beyond its name (keepdims=False and channels_last, Keras' defaults, are what it computes).
    }

    /// <summary>The layer from its Keras config.</summary>
    public static Layer FromConfig(LayerConfigReader config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Bool("keepdims", false))
        {
            throw new ArgumentException("keepdims=True is not supported; add a Reshape-free model or leave keepdims at False.");
        }
        return new GlobalAveragePooling2D(config.Name);
    }

    /// <inheritdoc />
    internal override void ToOnnx(OnnxGraph graph)
    {
        graph.Unary("GlobalAveragePool", Name);
        graph.Unary("Flatten", Name + "/flatten", OnnxGraph.Int("axis", 1));
    }

    /// <inheritdoc />
    internal override void ToPyTorch(PyTorchModule module)
    {
        module.Emit("nn.AdaptiveAvgPool2d(1)");
        module.Emit("nn.Flatten()");
    }
}

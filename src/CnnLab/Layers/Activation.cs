using System.Text.Json.Nodes;
using CnnLab.Core;
using CnnLab.Formats.Onnx;
using CnnLab.Formats.PyTorch;
using static TorchSharp.torch;

namespace CnnLab.Layers;

/// <summary>Keras' Activation layer: applies a named activation (relu, leaky_relu, elu, gelu, tanh, sigmoid, softmax, linear).</summary>
public sealed class Activation : Layer
{
    private readonly Func<Tensor, Tensor> _function;

    /// <summary>Creates the layer; an unknown name is an error listing the known ones.</summary>
    public Activation(string activation, string? name = null)
        : base(name)
    {
        _function = Activations.Get(activation);
        ActivationName = activation;
    }

    /// <summary>The activation's Keras name.</summary>
    public string ActivationName { get; }

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => _function(input);

    /// <inheritdoc />
    protected override void WriteConfig(JsonObject config)
    {
        config["activation"] = ActivationName;
    }

    /// <summary>The layer from its Keras config (Keras' defaults for absent keys).</summary>
    public static Layer FromConfig(LayerConfigReader config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Activation(config.Text("activation", expected: "an activation name"), config.Name);
    }

    /// <inheritdoc />
    internal override void ToOnnx(OnnxGraph graph) => graph.Activation(ActivationName, Name);

    /// <inheritdoc />
    internal override void ToPyTorch(PyTorchModule module) => module.Activation(ActivationName);

    internal override bool EndsWithSoftmax => ActivationName == "softmax";

    /// <summary>The logits are this layer's input: it adds nothing but the softmax.</summary>
    internal override Tensor ForwardLogits(Tensor input) => input;
}

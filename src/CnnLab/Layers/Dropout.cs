using System.Text.Json.Nodes;
using CnnLab.Core;
using CnnLab.Formats.Onnx;
using CnnLab.Formats.PyTorch;
using static TorchSharp.torch;

namespace CnnLab.Layers;

/// <summary>Keras' Dropout: in training, zeroes a fraction <see cref="Rate"/> of inputs and scales the rest by 1 / (1 - rate).</summary>
public sealed class Dropout : RandomLayer
{
    /// <summary>Creates the layer; the rate must be in [0, 1).</summary>
    public Dropout(double rate, string? name = null)
        : base(name) => Rate = RequireRate(rate, nameof(rate));

    /// <summary>The fraction of inputs dropped.</summary>
    public double Rate { get; }

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        if (!IsTraining || Rate == 0)
        {
            return input.alias();
        }
        using var keep = Bernoulli(input.shape, 1 - Rate, input);
        using var kept = input.mul(keep);
        return kept.div(1 - Rate);
    }

    /// <inheritdoc />
    protected override void WriteConfig(JsonObject config)
    {
        config["rate"] = Rate;
    }

    /// <summary>The layer from its Keras config (Keras' defaults for absent keys).</summary>
    public static Layer FromConfig(LayerConfigReader config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Dropout(config.Number("rate"), config.Name);
    }

    /// <inheritdoc />
    // Active in training only: the identity at inference, so nothing is written.
    internal override void ToOnnx(OnnxGraph graph)
    {
    }

    /// <inheritdoc />
    internal override void ToPyTorch(PyTorchModule module) => module.Emit(PyTorchModule.F($"nn.Dropout({PyTorchModule.Py(Rate)})"));
}

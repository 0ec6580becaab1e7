using System.Text.Json.Nodes;
using CnnLab.Core;
using CnnLab.Formats.Onnx;
using CnnLab.Formats.PyTorch;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnLab.Layers;

/// <summary>Keras' LeakyReLU: x for x &gt;= 0, alpha * x otherwise; alpha defaults to 0.3 as in TensorFlow 2.</summary>
public sealed class LeakyReLU : Layer
{
    /// <summary>Creates the layer.</summary>
    public LeakyReLU(double alpha = 0.3, string? name = null)
        : base(name)
    {
        if (!(alpha >= 0) || double.IsInfinity(alpha))
        {
            throw new ArgumentException(
                $"Invalid value for argument `alpha`. Expected a finite value >= 0. Received: alpha={alpha}", nameof(alpha));
        }
        Alpha = alpha;
    }

    /// <summary>The slope for negative inputs.</summary>
    public double Alpha { get; }

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => MayOverwriteInput ? input.leaky_relu_(Alpha) : F.leaky_relu(input, Alpha);

    // Keras 3 calls the slope negative_slope, Keras 2 alpha: both are read.
    /// <inheritdoc />
    protected override void WriteConfig(JsonObject config)
    {
        config["negative_slope"] = Alpha;
    }

    /// <summary>The layer from its Keras config (Keras' defaults for absent keys).</summary>
    public static Layer FromConfig(LayerConfigReader config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new LeakyReLU(config.Number(config.Has("alpha") && !config.Has("negative_slope") ? "alpha" : "negative_slope", 0.3),
            config.Name);
    }

    /// <inheritdoc />
    internal override void ToOnnx(OnnxGraph graph) => graph.Unary("LeakyRelu", Name, OnnxGraph.Float("alpha", Alpha));

    /// <inheritdoc />
    internal override void ToPyTorch(PyTorchModule module) => module.Emit(PyTorchModule.F($"nn.LeakyReLU({PyTorchModule.Py(Alpha)})"));
}

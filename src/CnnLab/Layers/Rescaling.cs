using System.Globalization;
using System.Text.Json.Nodes;
using CnnLab.Core;
using CnnLab.Formats.Onnx;
using CnnLab.Formats.PyTorch;
using static TorchSharp.torch;

namespace CnnLab.Layers;

/// <summary>Keras' Rescaling: x * scale + offset, e.g. scale 1/255 for raw pixel values.</summary>
public sealed class Rescaling : Layer
{
    /// <summary>Creates the layer; scale and offset must be finite.</summary>
    public Rescaling(double scale, double offset = 0, string? name = null)
        : base(name)
    {
        if (!double.IsFinite(scale) || !double.IsFinite(offset))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Invalid value for argument `scale` or `offset`. Expected finite numbers. Received: scale={scale}, offset={offset}"),
                nameof(scale));
        }
        Scale = scale;
        Offset = offset;
    }

    /// <summary>The factor.</summary>
    public double Scale { get; }

    /// <summary>Added after scaling.</summary>
    public double Offset { get; }

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scaled = input.mul(Scale);
        return scaled.add(Offset);
    }

    /// <inheritdoc />
    protected override void WriteConfig(JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config["scale"] = Scale;
        config["offset"] = Offset;
    }

    /// <summary>The layer from its Keras config.</summary>
    public static Layer FromConfig(LayerConfigReader config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Rescaling(config.Number("scale"), config.Number("offset", 0), config.Name);
    }

    /// <inheritdoc />
    internal override void ToOnnx(OnnxGraph graph)
    {
        graph.Node("Mul", Name + "/scale", new() { graph.Current, graph.Scalar($"{Name}.scale", (float)Scale) });
        graph.Node("Add", Name + "/offset", new() { graph.Current, graph.Scalar($"{Name}.offset", (float)Offset) });
    }

    /// <inheritdoc />
    internal override void ToPyTorch(PyTorchModule module)
    {
        module.NeedsRescaling = true;
        module.Emit(PyTorchModule.F($"Rescaling({PyTorchModule.Py(Scale)}, {PyTorchModule.Py(Offset)})"));
    }
}

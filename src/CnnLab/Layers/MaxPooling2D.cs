using System.Text.Json.Nodes;
using CnnLab.Core;
using CnnLab.Formats.Onnx;
using CnnLab.Formats.PyTorch;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnLab.Layers;

/// <summary>Keras' MaxPooling2D: the maximum of each window; "same" padding never wins the maximum.</summary>
public sealed class MaxPooling2D : Pooling2D
{
    /// <summary>Creates the layer. Defaults as Keras: pool_size (2, 2), strides = pool_size, padding "valid".</summary>
    public MaxPooling2D(Size2? poolSize = null, Size2? strides = null, Padding padding = Padding.Valid, string? name = null)
        : base(poolSize, strides, padding, name)
    {
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        if (SamePaddingAmounts is null)
        {
            return F.max_pool2d(input, KernelArray, StrideArray);
        }
        using var padded = F.pad(input, SamePaddingAmounts, value: double.NegativeInfinity);
        return F.max_pool2d(padded, KernelArray, StrideArray);
    }

    /// <inheritdoc />
    protected override void WriteConfig(JsonObject config)
    {
        WritePoolingConfig(config);
    }

    /// <summary>The layer from its Keras config (Keras' defaults for absent keys).</summary>
    public static Layer FromConfig(LayerConfigReader config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new MaxPooling2D(config.Pair("pool_size", new Size2(2, 2)), config.OptionalPair("strides"), config.Padding(), config.Name);
    }

    /// <inheritdoc />
    // ONNX's max pooling ignores padded cells, as TensorFlow's SAME max pooling does.
    internal override void ToOnnx(OnnxGraph graph) =>
        graph.Unary("MaxPool", Name, OnnxGraph.Window(InputShape!, PoolSize, Strides, Padding).ToArray());

    /// <inheritdoc />
    internal override void ToPyTorch(PyTorchModule module)
    {
        var (top, bottom, left, right) = Padding == Padding.Same ? PyTorchModule.SamePads(InputShape!, PoolSize, Strides) : (0, 0, 0, 0);
        if (top + bottom + left + right > 0)
        {
            // -inf never wins the maximum, as TensorFlow's SAME max pooling ignores the padding.
            module.Emit(PyTorchModule.F($"nn.ConstantPad2d(({left}, {right}, {top}, {bottom}), float(\"-inf\"))"));
        }
        module.Emit(PyTorchModule.F(
            $"nn.MaxPool2d(kernel_size=({PoolSize.Height}, {PoolSize.Width}), stride=({Strides.Height}, {Strides.Width}))"));
    }
}

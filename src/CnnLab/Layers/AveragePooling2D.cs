using System.Text.Json.Nodes;
using CnnLab.Core;
using CnnLab.Formats.Onnx;
using CnnLab.Formats.PyTorch;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnLab.Layers;

/// <summary>Keras' AveragePooling2D: the mean of each window; with "same"
/// padding only real inputs are averaged, as TensorFlow does.</summary>
public sealed class AveragePooling2D : Pooling2D
{
    /// <summary>Creates the layer. Defaults as Keras: pool_size (2, 2), strides = pool_size, padding "valid".</summary>
    public AveragePooling2D(Size2? poolSize = null, Size2? strides = null, Padding padding = Padding.Valid, string? name = null)
        : base(poolSize, strides, padding, name)
    {
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        if (SamePaddingAmounts is null)
        {
            return F.avg_pool2d(input, KernelArray, StrideArray);
        }
        using var scope = NewDisposeScope();
        // Sum of the real values over the count of real values: padding would otherwise drag edge means toward zero.
        var sums = F.avg_pool2d(F.pad(input, SamePaddingAmounts), KernelArray, StrideArray, divisor_override: 1);
        var ones = ones_like(input[..1, ..1]);
        var counts = F.avg_pool2d(F.pad(ones, SamePaddingAmounts), KernelArray, StrideArray, divisor_override: 1);
        return sums.div(counts).MoveToOuterDisposeScope();
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
        return new AveragePooling2D(config.Pair("pool_size", new Size2(2, 2)), config.OptionalPair("strides"), config.Padding(),
            config.Name);
    }

    /// <inheritdoc />
    internal override void ToOnnx(OnnxGraph graph)
    {
        // TensorFlow's SAME average pooling leaves the padding out of the mean.
        var attributes = OnnxGraph.Window(InputShape!, PoolSize, Strides, Padding);
        attributes.Add(OnnxGraph.Int("count_include_pad", 0));
        graph.Unary("AveragePool", Name, attributes.ToArray());
    }

    /// <inheritdoc />
    internal override void ToPyTorch(PyTorchModule module)
    {
        var (top, bottom, left, right) = Padding == Padding.Same ? PyTorchModule.SamePads(InputShape!, PoolSize, Strides) : (0, 0, 0, 0);
        if (top + bottom + left + right > 0)
        {
            module.NeedsSameAvgPool = true;
            var window = PyTorchModule.F($"({PoolSize.Height}, {PoolSize.Width}), ({Strides.Height}, {Strides.Width})");
            module.Emit(PyTorchModule.F($"SameAvgPool2d({window}, ({left}, {right}, {top}, {bottom}))"));
        }
        else
        {
            module.Emit(PyTorchModule.F(
                $"nn.AvgPool2d(kernel_size=({PoolSize.Height}, {PoolSize.Width}), stride=({Strides.Height}, {Strides.Width}))"));
        }
    }
}

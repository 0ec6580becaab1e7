using System.Text.Json.Nodes;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnLab.Layers;

/// <summary>Keras' AveragePooling2D: the mean of each window; with "same" padding only real inputs are averaged, as TensorFlow does.</summary>
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
        return new AveragePooling2D(config.Pair("pool_size", new Size2(2, 2)), config.OptionalPair("strides"), config.Padding(), config.Name);
    }
}

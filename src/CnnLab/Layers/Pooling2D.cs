using System.Text.Json.Nodes;
using CnnLab.Core;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnLab.Layers;

/// <summary>What MaxPooling2D and AveragePooling2D share: pool_size, strides defaulting to pool_size, padding and the shape rule.</summary>
public abstract class Pooling2D : Layer
{
    /// <summary>The padding (left, right, top, bottom) of "same" when it is not zero; null otherwise.</summary>
    private protected long[]? SamePaddingAmounts { get; private set; }

    /// <summary>Validates and stores the configuration.</summary>
    protected Pooling2D(Size2? poolSize, Size2? strides, Padding padding, string? name)
        : base(name)
    {
        var pool = poolSize ?? new Size2(2, 2);
        pool.RequirePositive(nameof(poolSize));
        var stride = strides ?? pool;
        stride.RequirePositive(nameof(strides));
        PoolSize = pool;
        Strides = stride;
        Padding = padding;
    }

    /// <summary>Window (height, width); Keras' default is (2, 2).</summary>
    public Size2 PoolSize { get; }

    /// <summary>Step (height, width); defaults to the pool size.</summary>
    public Size2 Strides { get; }

    /// <summary>valid or same.</summary>
    public Padding Padding { get; }

    private protected long[] KernelArray => new long[] { PoolSize.Height, PoolSize.Width };

    private protected long[] StrideArray => new long[] { Strides.Height, Strides.Width };

    /// <inheritdoc />
    public override Shape ComputeOutputShape(Shape inputShape)
    {
        if (!inputShape.IsImage)
        {
            throw IncompatibleRank(inputShape, 3, $"{TypeName} expects (height, width, channels) images.");
        }
        var (height, width) = PaddingRules.WindowOutput(inputShape, PoolSize, Strides, Padding, Name, "pool_size", "pool");
        return Shape.Image(height, width, inputShape.Channels);
    }

    /// <inheritdoc />
    protected override void BuildWeights(Shape inputShape, Generator? generator)
    {
        if (Padding != Padding.Same)
        {
            return;
        }
        var (top, bottom) = PaddingRules.SamePadding(inputShape.Height, PoolSize.Height, Strides.Height);
        var (left, right) = PaddingRules.SamePadding(inputShape.Width, PoolSize.Width, Strides.Width);
        if (top + bottom + left + right > 0)
        {
            SamePaddingAmounts = new long[] { left, right, top, bottom };
        }
    }

    /// <summary>Keras' pooling keys: pool_size, strides, padding.</summary>
    protected void WritePoolingConfig(JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config["pool_size"] = new JsonArray(PoolSize.Height, PoolSize.Width);
        config["strides"] = new JsonArray(Strides.Height, Strides.Width);
        config["padding"] = Padding.ToKeras();
    }
}

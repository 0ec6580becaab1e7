using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnLab.Layers;

/// <summary>Keras' Dropout: in training, zeroes a fraction <see cref="Rate"/> of inputs and scales the rest by 1 / (1 - rate).</summary>
public sealed class Dropout : Layer
{
    private Generator? _generator;

    /// <summary>Creates the layer; the rate must be in [0, 1).</summary>
    public Dropout(double rate, string? name = null)
        : base(name)
    {
        if (!(rate >= 0 && rate < 1))
        {
            throw new ArgumentException(
                $"Invalid value for argument `rate`. Expected a float value between 0 and 1 (1 excluded). Received: rate={rate}", nameof(rate));
        }
        Rate = rate;
    }

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
        if (_generator is null)
        {
            return F.dropout(input, Rate, true);
        }
        // Drawn on the CPU, where the layer's generator lives, then moved next to the input.
        using var uniform = rand(input.shape, generator: _generator, dtype: input.dtype);
        using var keep = uniform.ge_(Rate).to(input.device);
        using var kept = input.mul(keep);
        return kept.div(1 - Rate);
    }

    internal override Generator? RandomGenerator => _generator;

    internal override void SeedRandom(long seed)
    {
        _generator?.Dispose();
        _generator = new Generator(unchecked((ulong)seed), CPU);
    }
}

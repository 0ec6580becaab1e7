using System.Globalization;
using CnnLab.Formats.Onnx;
using CnnLab.Formats.PyTorch;
using static TorchSharp.torch;

namespace CnnLab.Layers;

/// <summary>
/// A layer that draws random numbers in training (dropout, noise, augmentation). Each has its own CPU generator,
/// seeded by Fit from the run's seed, so a seeded Fit repeats exactly even while other threads use libtorch's global
/// generator, and a checkpoint can save and restore where the generator stands.
/// </summary>
public abstract class RandomLayer : Layer
{
    private Generator? _generator;

    /// <summary>Creates the layer.</summary>
    protected RandomLayer(string? name)
        : base(name)
    {
    }

    internal override Generator? RandomGenerator => _generator;

    internal override void SeedRandom(long seed)
    {
        _generator?.Dispose();
        _generator = new Generator(unchecked((ulong)seed), CPU);
    }

    /// <summary>The layer's generator; one seeded at random when Fit has not seeded it (a layer used on its own).</summary>
    protected Generator Generator => _generator ??= new Generator(unchecked((ulong)Random.Shared.NextInt64()), CPU);

    /// <summary>Uniform [0, 1) values of <paramref name="shape"/>, drawn on the CPU and placed like <paramref name="like"/>.</summary>
    protected Tensor Uniform(long[] shape, Tensor like)
    {
        using var values = rand(shape, generator: Generator, dtype: ScalarType.Float32);
        return values.to(like.dtype, like.device);
    }

    /// <summary>Standard normal values of <paramref name="shape"/>, drawn on the CPU and placed like <paramref name="like"/>.</summary>
    protected Tensor Normal(long[] shape, Tensor like)
    {
        using var values = randn(shape, generator: Generator, dtype: ScalarType.Float32);
        return values.to(like.dtype, like.device);
    }

    /// <summary>1 with probability <paramref name="keep"/>, else 0.</summary>
    protected Tensor Bernoulli(long[] shape, double keep, Tensor like)
    {
        using var uniform = rand(shape, generator: Generator, dtype: ScalarType.Float32);
        using var mask = uniform.lt(keep);
        return mask.to(like.dtype, like.device);
    }

    /// <summary>Checks a rate in [0, 1), with Keras' message.</summary>
    protected static double RequireRate(double rate, string name) => rate >= 0 && rate < 1
        ? rate
        : throw new ArgumentException(
            $"Invalid value for argument `{name}`. Expected a float value between 0 and 1 (1 excluded). Received: " +
            $"{name}={rate.ToString(CultureInfo.InvariantCulture)}", name);

    /// <inheritdoc />
    // Active in training only: the identity at inference, so nothing is written.
    internal override void ToOnnx(OnnxGraph graph)
    {
    }

    /// <inheritdoc />
    internal override void ToPyTorch(PyTorchModule module) =>
        module.Comment($"{Name} ({TypeName}): active in training only, the identity at inference; left out");

    /// <summary>Keras' random layers also write their noise shape, value range and interpolation.</summary>
    internal override IEnumerable<string> KerasIgnoredKeys =>
        base.KerasIgnoredKeys.Concat(new[] { "noise_shape", "value_range", "interpolation" });
}

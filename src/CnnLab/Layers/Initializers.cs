using static TorchSharp.torch;

namespace CnnLab.Layers;

/// <summary>Keras' default initializers, drawn from an explicit generator so the same seed gives the same weights.</summary>
internal static class Initializers
{
    /// <summary>glorot_uniform: U(-l, l) with l = sqrt(6 / (fan_in + fan_out)).</summary>
    public static Tensor GlorotUniform(long[] shape, long fanIn, long fanOut, Generator? generator)
    {
        var limit = Math.Sqrt(6.0 / (fanIn + fanOut));
        using var unit = rand(shape, dtype: ScalarType.Float32, generator: generator);
        return unit.mul(2 * limit).sub_(limit);
    }
}

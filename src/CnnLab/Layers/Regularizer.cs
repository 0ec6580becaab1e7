using System.Globalization;
using static TorchSharp.torch;

namespace CnnLab.Layers;

/// <summary>
/// Keras' weight regularizers: a penalty l1 * sum(|w|) + l2 * sum(w^2) that training adds to the loss (and the
/// reported loss shows), as <c>keras.regularizers.L1L2</c>. Note Keras' L2 has no factor 1/2.
/// </summary>
public sealed record Regularizer
{
    /// <summary>Creates a penalty; both factors must be finite and >= 0.</summary>
    public Regularizer(double l1 = 0, double l2 = 0)
    {
        Require(l1, nameof(l1));
        Require(l2, nameof(l2));
        L1 = l1;
        L2 = l2;
    }

    /// <summary>Factor of the sum of absolute values.</summary>
    public double L1 { get; }

    /// <summary>Factor of the sum of squares.</summary>
    public double L2 { get; }

    /// <summary>Keras' <c>regularizers.L1(l1=0.01)</c>.</summary>
    public static Regularizer OfL1(double l1 = 0.01) => new(l1: l1);

    /// <summary>Keras' <c>regularizers.L2(l2=0.01)</c>.</summary>
    public static Regularizer OfL2(double l2 = 0.01) => new(l2: l2);

    /// <summary>Keras' <c>regularizers.L1L2(l1=0, l2=0)</c>.</summary>
    public static Regularizer OfL1L2(double l1 = 0, double l2 = 0) => new(l1, l2);

    /// <summary>The config CnnLab writes for it: {"l1": ..., "l2": ...}.</summary>
    public System.Text.Json.Nodes.JsonObject ToConfig() => new() { ["l1"] = L1, ["l2"] = L2 };

    /// <summary>The penalty of one weight tensor, a scalar that keeps the autograd graph.</summary>
    public Tensor Penalty(Tensor weights)
    {
        using var scope = NewDisposeScope();
        var total = zeros(Array.Empty<long>(), dtype: weights.dtype, device: weights.device);
        if (L1 > 0)
        {
            total = total + weights.abs().sum() * L1;
        }
        if (L2 > 0)
        {
            total = total + weights.square().sum() * L2;
        }
        return total.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"L1L2(l1={L1}, l2={L2})");

    private static void Require(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value))
        {
            throw new ArgumentException(
                $"Invalid value for argument `{name}`. Expected a finite value >= 0. Received: " +
                $"{name}={value.ToString(CultureInfo.InvariantCulture)}", name);
        }
    }
}

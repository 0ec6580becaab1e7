using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnLab.Layers;

/// <summary>Keras' activation functions by name. Channels are axis 1 of NCHW and N x units tensors alike.</summary>
public static class Activations
{
    private static readonly Dictionary<string, Func<Tensor, Tensor>> Functions = new()
    {
        ["relu"] = x => F.relu(x),
        ["leaky_relu"] = x => F.leaky_relu(x, 0.2),
        ["elu"] = x => F.elu(x, 1.0),
        ["gelu"] = x => F.gelu(x),
        ["tanh"] = x => F.tanh(x),
        ["sigmoid"] = x => F.sigmoid(x),
        ["softmax"] = Softmax,
        ["linear"] = x => x.alias(),
    };

    /// <summary>The names accepted by <see cref="Get"/>.</summary>
    public static IReadOnlyCollection<string> Names => Functions.Keys;

    /// <summary>The function for a Keras activation name.</summary>
    public static Func<Tensor, Tensor> Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Functions.TryGetValue(name, out var function)
            ? function
            : throw new ArgumentException(
                $"Could not interpret activation function identifier: {name}. Expected one of: {string.Join(", ", Functions.Keys)}.",
                nameof(name));
    }

    /// <summary>Over the channels, in float32 under mixed precision too (as Keras advises for a model's output).</summary>
    private static Tensor Softmax(Tensor x)
    {
        using var wide = Engine.MixedPrecision.Float32(x);
        return F.softmax(wide, 1);
    }
}

using CnnLab.Core;
using static TorchSharp.torch;

namespace CnnLab.Layers;

/// <summary>
/// One layer's weights from a Keras file, by Keras' role (kernel, bias, gamma, ...), and the CnnLab tensors the layer
/// makes of them (<see cref="Layer.ImportKerasWeights"/>). Keras stores channels-last layouts; each layer converts its
/// own with the helpers here.
/// </summary>
public sealed class KerasWeights
{
    private readonly Layer _layer;
    private readonly IReadOnlyDictionary<string, Tensor> _byRole;
    private readonly Dictionary<string, Tensor> _tensors;
    private readonly string _source;

    internal KerasWeights(Layer layer, IReadOnlyDictionary<string, Tensor> byRole, Shape? flattenedImage,
        Dictionary<string, Tensor> tensors,
        string source)
    {
        _layer = layer;
        _byRole = byRole;
        FlattenedImage = flattenedImage;
        _tensors = tensors;
        _source = source;
    }

    /// <summary>
    /// The image whose Flatten produced this layer's input features, when they still stand in Flatten's order: Keras
    /// flattens (height, width, channels), CnnLab channel-major, so per-feature weights need reordering. Null otherwise.
    /// </summary>
    public Shape? FlattenedImage { get; }

    /// <summary>Whether the file holds a weight with this role.</summary>
    public bool Has(string role) => _byRole.ContainsKey(role);

    /// <summary>The weight with this role; a missing one is an error naming the layer and the roles present.</summary>
    public Tensor Get(string role) => _byRole.TryGetValue(role, out var t)
        ? t
        : throw new InvalidDataException($"{_source}: layer \"{_layer.Name}\" has no \"{role}\" weight (it has " +
            $"{string.Join(", ", _byRole.Keys)}).");

    /// <summary>Sets the layer's CnnLab weight <paramref name="name"/> (as its state_dict names it, without the layer's prefix).</summary>
    public void Set(string name, Tensor value) => _tensors[$"{_layer.Name}.{name}"] = value;

    /// <summary>Copies the bias, when the file has one, in CnnLab's feature order.</summary>
    public void SetBias()
    {
        if (Has("bias"))
        {
            Set("bias", Get("bias"));
        }
    }

    /// <summary>A convolution kernel from Keras' (height, width, in, out) to CnnLab's (out, in, height, width).</summary>
    public static Tensor ConvolutionKernel(Tensor kernel) => kernel.permute(3, 2, 0, 1).contiguous();

    /// <summary>Keras' depthwise (height, width, channels, multiplier) kernel in
    /// PyTorch's grouped layout (channels x multiplier, 1, height, width).</summary>
    public static Tensor GroupedLayout(Tensor depthwise) =>
        depthwise.permute(2, 3, 0, 1).reshape(-1, 1, depthwise.shape[0], depthwise.shape[1]).contiguous();

    /// <summary>A per-feature vector in Keras' (height, width, channels)
    /// order, reordered to CnnLab's channel-major one when needed.</summary>
    public Tensor InCnnLabOrder(Tensor vector) => FlattenedImage is { } image
        ? vector.reshape(image.Height, image.Width, image.Channels).permute(2, 0, 1).reshape(image.Size).contiguous()
        : vector;
}

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
    private readonly IReadOnlyDictionary<string, KerasWeight> _byRole;
    private readonly Dictionary<string, Tensor> _tensors;
    private readonly string _source;
    private readonly List<string> _read = new();

    internal KerasWeights(Layer layer, IReadOnlyDictionary<string, KerasWeight> byRole, Shape? flattenedImage,
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

    /// <summary>
    /// The weight with this role, which must be stored in <paramref name="shape"/> (Keras' layout of it for this layer);
    /// a missing weight or another shape is an error naming the layer, the weight and both shapes, before anything is read.
    /// </summary>
    public Tensor Get(string role, params long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (!_byRole.TryGetValue(role, out var weight))
        {
            throw new InvalidDataException(
                $"{_source}: layer \"{_layer.Name}\" has no \"{role}\" weight (it has {string.Join(", ", _byRole.Keys)}).");
        }
        if (!weight.Shape.SequenceEqual(shape))
        {
            throw new InvalidDataException($"{_source}: layer \"{_layer.Name}\" ({_layer.TypeName}) stores its \"{role}\" weight as " +
                $"({string.Join(", ", weight.Shape)}), but the layer needs ({string.Join(", ", shape)}).");
        }
        _read.Add(role);
        return weight.Read();
    }

    /// <summary>
    /// After the layer took its weights: a weight it did not read is one the file holds and the layer has no place for,
    /// an error naming them rather than a file half used.
    /// </summary>
    internal void RequireAllRead()
    {
        var unread = _byRole.Keys.Where(role => !_read.Contains(role)).ToList();
        if (unread.Count > 0)
        {
            throw new InvalidDataException($"{_source}: layer \"{_layer.Name}\" ({_layer.TypeName}) stores weights it has no place for: " +
                $"{string.Join(", ", unread)} (it reads {(_read.Count == 0 ? "none" : string.Join(", ", _read))}).");
        }
    }

    /// <summary>Sets the layer's CnnLab weight <paramref name="name"/> (as its state_dict names it, without the layer's prefix).</summary>
    public void Set(string name, Tensor value) => _tensors[$"{_layer.Name}.{name}"] = value;

    /// <summary>Copies the bias of <paramref name="units"/> values, when the file has one.</summary>
    public void SetBias(long units)
    {
        if (Has("bias"))
        {
            Set("bias", Get("bias", units));
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

using CnnLab.Core;
using CnnLab.Engine;
using CnnLab.Layers;
using CnnLab.Optimizers;
using CnnLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnLab.Models;

/// <summary>
/// Keras' Sequential model: a stack of layers, each built as soon as the shape before it is known,
/// so a shape that cannot work fails at <see cref="Add(Layer)"/>. Compile, then Fit, Evaluate, Predict.
/// Tensors are NCHW float32 images and int64 labels.
/// </summary>
public sealed partial class Sequential : KerasModel
{
    private readonly List<Layer> _layers = new();
    private readonly Dictionary<string, int> _nameCounts = new();
    private readonly Generator _initGenerator;
    private Shape? _inputShape;

    /// <summary>
    /// Creates an empty model. <paramref name="inputShape"/> is (height, width, channels); without it the first
    /// added item must be an <see cref="InputLayer"/>. <paramref name="seed"/> fixes the initial weights.
    /// </summary>
    public Sequential(Shape? inputShape = null, long? seed = null, string name = "sequential")
        : base(name)
    {
        _inputShape = inputShape;
        _initGenerator = new Generator(unchecked((ulong)(seed ?? Random.Shared.NextInt64())), CPU);
    }

    /// <summary>
    /// Keras' <c>keras.Sequential([keras.Input(shape=(28, 28, 1)), layers.Conv2D(32, 3), ...])</c>: the input, then the
    /// layers, each built as it is added (so a layer that cannot follow the one before fails here, naming it).
    /// </summary>
    public Sequential(InputLayer input, IEnumerable<Layer> layers, long? seed = null, string name = "sequential")
        : this((input ?? throw new ArgumentNullException(nameof(input))).Shape, seed, name)
    {
        ArgumentNullException.ThrowIfNull(layers);
        foreach (var layer in layers)
        {
            Add(layer);
        }
    }

    /// <summary>Keras' <c>keras.Input(shape)</c>, for <see cref="Sequential(InputLayer, IEnumerable{Layer}, long?, string)"/>.</summary>
    public static InputLayer Input(params int[] shape) => new(shape);

    /// <summary>The layers in order.</summary>
    public override IReadOnlyList<Layer> Layers => _layers;

    /// <summary>The shape of one input sample, (height, width, channels).</summary>
    public override Shape? InputShape => _inputShape;

    /// <summary>The shape of one output sample.</summary>
    public override Shape? OutputShape => _layers.Count > 0 ? _layers[^1].OutputShape : _inputShape;

    /// <summary>Declares the input shape; allowed once, before any layer.</summary>
    public Sequential Add(InputLayer input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (_inputShape is not null || _layers.Count > 0)
        {
            throw new InvalidOperationException(
                $"Model \"{ModelName}\" already has input shape {_inputShape}. An InputLayer can only be the first item of a " +
                $"Sequential model.");
        }
        _inputShape = input.Shape;
        return this;
    }

    /// <summary>Appends a layer, names it as Keras does (conv2d, conv2d_1, ...) and builds it for the current output shape.</summary>
    public Sequential Add(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var previous = OutputShape ?? throw new InvalidOperationException(
            $"Model \"{ModelName}\" has no input shape. Pass `inputShape` to the Sequential constructor or add an InputLayer first.");
        if (layer.IsBuilt)
        {
            throw new InvalidOperationException($"Layer \"{layer.Name}\" already belongs to a model. Create a new layer instead of " +
                $"adding one twice.");
        }
        var name = UniqueName(layer);
        layer.AssignName(name);
        var weights = layer.ExpectedWeightCount(previous);
        if (ParamCount + weights > ModelLimits.MaxParameters)
        {
            throw ModelLimits.TooManyParameters(name, previous, weights, ParamCount);
        }
        layer.Build(previous, _initGenerator);
        layer.MayOverwriteInput = _layers.Count > 0;
        layer.to(Device);
        _layers.Add(layer);
        register_module(name, layer);
        return this;
    }

    /// <summary>
    /// Puts a <see cref="Normalization"/> adapted to <paramref name="images"/> (the training split, N x C x H x W) before
    /// the first layer, so the model standardises its inputs per channel wherever it runs (Fit, Evaluate, Predict, saved,
    /// exported). The other layers and their weights stay as they are.
    /// </summary>
    public override Normalization StandardizeInputs(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (_layers.FirstOrDefault() is Normalization)
        {
            throw new InvalidOperationException(
                $"Model \"{ModelName}\" already standardises its inputs; standardising twice would distort them.");
        }
        var layer = InsertFirst(new Normalization());
        layer.Adapt(images);
        return layer;
    }

    /// <summary>
    /// Puts a <see cref="Rescaling"/> by <paramref name="scale"/> before the first layer: a model trained on inputs
    /// <paramref name="scale"/> times larger than CnnLab's [0, 1] pixels (a Keras model trained on raw 0-255 values)
    /// then computes what it was trained to compute, wherever it runs.
    /// </summary>
    public override Rescaling ScaleInputs(double scale) => InsertFirst(new Rescaling(scale));

    /// <summary>A layer of the input's shape before the first layer; the other layers and their weights stay as they are.</summary>
    private T InsertFirst<T>(T layer)
        where T : Layer
    {
        var shape = _inputShape ?? throw new InvalidOperationException(
            $"Model \"{ModelName}\" has no input shape. Pass `inputShape` to the Sequential constructor or add an InputLayer first.");
        layer.AssignName(UniqueName(layer));
        layer.Build(shape, _initGenerator);
        layer.to(Device);
        _layers.Insert(0, layer);
        if (_layers.Count > 1)
        {
            // The layer that was first now reads an intermediate result of its own, which it may overwrite.
            _layers[1].MayOverwriteInput = true;
        }
        register_module(layer.Name, layer);
        return layer;
    }

    /// <summary>Moves the weights to a device ("cpu", "cuda", "cuda:1").</summary>
    public Sequential ToDevice(string device)
    {
        Device = ComputeDevice.Parse(device);
        this.to(Device);
        return this;
    }

    /// <summary>Keras' <c>model_from_json</c>: a new model with that architecture and fresh weights.</summary>
    public static Sequential FromJson(string json) => CnnLab.Models.Saving.ModelFile.FromJson(json);

    /// <summary>Saves architecture and weights in one safetensors file (the config in its metadata), atomically.</summary>
    public override void Save(string path) => CnnLab.Models.Saving.ModelFile.Save(this, path);

    /// <summary>
    /// Rebuilds a model saved with <see cref="Save"/>; it predicts exactly as the saved one. Compile it again to train.
    /// A Keras file (.h5 of Keras 2 / tf.keras, .keras of Keras 3) is imported (<see cref="CnnLab.Models.Saving.KerasModelFile"/>),
    /// expecting inputs scaled to [0, 1] as CnnLab's data are (Keras does not store the scaling it was trained with).
    /// </summary>
    public static new Sequential Load(string path) => CnnLab.Models.Saving.KerasModelFile.IsKerasFile(path ?? "")
        ? CnnLab.Models.Saving.KerasModelFile.Load(path!) : CnnLab.Models.Saving.ModelFile.Load(path!);

    /// <summary>Keras' summary table: layers, output shapes, parameter counts and totals.</summary>
    public override string Summary() => ModelSummary.Format(this);

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => Run(input, logits: false);

    /// <summary>
    /// True when the last operation is a softmax, so the outputs are probabilities and the loss can use the logits
    /// before it (<see cref="ForwardLogits"/>).
    /// </summary>
    public override bool OutputsProbabilities => _layers.Count > 0 && _layers[^1].EndsWithSoftmax;

    /// <summary>The scores before a final softmax (the logits); only when <see cref="OutputsProbabilities"/>.</summary>
    internal override Tensor ForwardLogits(Tensor input) => Run(input, logits: true);

    // A chain is the graph whose every layer reads the one before it: the same forward pass as a functional model's.
    private Tensor Run(Tensor input, bool logits) => GraphExecutor.Run(GraphExecutor.Chain(_layers), _inputShape, input, logits);

    private string UniqueName(Layer layer)
    {
        var explicitName = layer.HasExplicitName ? layer.Name : null;
        if (explicitName is not null)
        {
            if (_layers.Any(l => l.Name == explicitName))
            {
                throw new ArgumentException(
                    $"All layers added to a Sequential model should have unique names. Name \"{explicitName}\" is already the name of a " +
                    $"layer in this model.");
            }
            return explicitName;
        }
        var prefix = layer.DefaultNamePrefix;
        while (true)
        {
            _nameCounts.TryGetValue(prefix, out var count);
            _nameCounts[prefix] = count + 1;
            var candidate = count == 0 ? prefix : $"{prefix}_{count}";
            if (_layers.All(l => l.Name != candidate))
            {
                return candidate;
            }
        }
    }

    /// <inheritdoc />
    protected override void RequireLayers()
    {
        if (_layers.Count == 0)
        {
            throw new InvalidOperationException($"Sequential model \"{ModelName}\" has no layers. Call `model.Add(layer)`.");
        }
    }
}

using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CnnLab.Core;
using CnnLab.Formats.Onnx;
using CnnLab.Formats.PyTorch;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnLab.Layers;

/// <summary>
/// A Keras layer: the constructor validates and stores the configuration, <see cref="Build"/> creates
/// the weights for an input shape, <c>forward</c> computes and <see cref="ComputeOutputShape"/>
/// feeds the summary. Tensors are NCHW; shapes are reported in Keras' (height, width, channels) order.
/// </summary>
public abstract partial class Layer : nn.Module<Tensor, Tensor>
{
    private string? _name;

    /// <summary>Creates a layer; a null name is replaced by Keras' automatic one when added to a model.</summary>
    protected Layer(string? name)
        : base(name ?? "layer")
    {
        // Layers used on their own, outside a Sequential, get the same engine settings (threads, convolution path).
        Engine.TorchEngine.EnsureConfigured();
        _name = name;
        HasExplicitName = name is not null;
    }

    /// <summary>True when the name was given to the constructor rather than chosen by the model.</summary>
    public bool HasExplicitName { get; }

    /// <summary>The layer's name as Keras shows it (conv2d, conv2d_1, ...).</summary>
    public string Name => _name ?? DefaultNamePrefix;

    /// <summary>Keras' class name, e.g. "Conv2D".</summary>
    public virtual string TypeName => GetType().Name;

    /// <summary>The prefix of automatic names: Keras' snake_case of the class name (LeakyReLU becomes leaky_re_lu).</summary>
    public string DefaultNamePrefix => ToSnakeCase(TypeName);

    /// <summary>The shape the layer was built for; null before <see cref="Build"/>.</summary>
    public Shape? InputShape { get; private set; }

    /// <summary>The shape the layer produces; null before <see cref="Build"/>.</summary>
    public Shape? OutputShape { get; private set; }

    /// <summary>True once the weights exist.</summary>
    public bool IsBuilt => OutputShape is not null;

    /// <summary>Whether the layer behaves as in training (dropout active, batch statistics used).</summary>
    public bool IsTraining => training;

    /// <summary>Number of weights the optimizer updates.</summary>
    public long TrainableParamCount => parameters().Where(p => p.requires_grad).Sum(p => p.numel());

    /// <summary>Number of weights kept but not trained (BatchNormalization's moving mean and variance).</summary>
    public long NonTrainableParamCount =>
        parameters().Where(p => !p.requires_grad).Sum(p => p.numel()) + buffers().Sum(b => b.numel());

    /// <summary>
    /// Keras' config of the layer: its name and every setting that changes what it computes, under Keras' keys.
    /// <see cref="LayerRegistry"/> creates the layer back from it, for saved models, study files and Keras files.
    /// </summary>
    public JsonObject GetConfig()
    {
        var config = new JsonObject { ["name"] = Name };
        WriteConfig(config);
        return config;
    }

    /// <summary>Adds the layer's settings to <paramref name="config"/>; each layer
    /// also has <c>public static Layer FromConfig(LayerConfigReader)</c>.</summary>
    protected abstract void WriteConfig(JsonObject config);

    /// <summary>Keras' output-shape rule for this layer.</summary>
    public abstract Shape ComputeOutputShape(Shape inputShape);

    /// <summary>Checks the input shape, creates the weights (drawn from <paramref name="generator"/>) and records the shapes.</summary>
    public void Build(Shape inputShape, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (IsBuilt)
        {
            throw new InvalidOperationException($"Layer \"{Name}\" is already built for input shape {InputShape}. " +
                $"Create a new layer instead of adding one twice.");
        }
        var output = ComputeOutputShape(inputShape);
        var weights = WeightCount(inputShape);
        if (weights > ModelLimits.MaxParameters)
        {
            throw ModelLimits.TooManyParameters(Name, inputShape, weights, 0);
        }
        BuildWeights(inputShape, generator);
        InputShape = inputShape;
        OutputShape = output;
    }

    internal void AssignName(string name) => _name = name;

    /// <summary>
    /// Gives a layer that draws random numbers in training (Dropout) its own generator, seeded by Fit, so a seeded
    /// Fit repeats exactly even while other threads use libtorch's global generator.
    /// </summary>
    internal virtual void SeedRandom(long seed)
    {
    }

    /// <summary>The generator <see cref="SeedRandom"/> created, for checkpoints; null for layers without randomness.</summary>
    internal virtual Generator? RandomGenerator => null;

    /// <summary>
    /// Set by a Sequential for every layer but the first: the input is an intermediate result only this layer
    /// reads, so an element-wise layer may overwrite it instead of allocating. Autograd's version counters turn
    /// any unsafe overwrite into an error rather than a wrong gradient.
    /// </summary>
    internal bool MayOverwriteInput { get; set; }

    /// <summary>
    /// The penalty this layer adds to the training loss (Keras' <c>layer.losses</c>, summed), or null without a
    /// regularizer. The result keeps the autograd graph so the penalty's gradient reaches the weights.
    /// </summary>
    public virtual Tensor? RegularizationLoss() => null;

    /// <summary>
    /// Writes the layer's ONNX nodes, in inference form, after the graph's current value (what <c>OnnxExport</c> writes).
    /// Each layer translates itself in its own file; a layer without a translation cannot be exported.
    /// </summary>
    internal virtual void ToOnnx(OnnxGraph graph) =>
        throw new NotSupportedException($"Layer \"{Name}\" ({TypeName}) has no ONNX translation; it cannot be exported.");

    /// <summary>
    /// Writes the layer as torch.nn modules and their state_dict entries (what <c>PyTorchExport</c> writes), in its own file
    /// like its config and its ONNX translation; a layer without one cannot be exported.
    /// </summary>
    internal virtual void ToPyTorch(PyTorchModule module) =>
        throw new NotSupportedException($"Layer \"{Name}\" ({TypeName}) has no PyTorch equivalent here; it cannot be exported.");

    /// <summary>
    /// The weights <see cref="BuildWeights"/> would create for this input, computed from the configuration alone so a
    /// model too large to allocate is refused first. Checked arithmetic: a hostile config must fail, not wrap around.
    /// </summary>
    protected internal virtual long WeightCount(Shape inputShape) => 0;

    /// <summary>The weights building this layer for <paramref name="inputShape"/> would
    /// create; throws as <see cref="Build"/> would for a shape that cannot work.</summary>
    internal long ExpectedWeightCount(Shape inputShape)
    {
        ComputeOutputShape(inputShape);
        return WeightCount(inputShape);
    }

    /// <summary>Creates the layer's weights; layers without weights keep the default.</summary>
    protected virtual void BuildWeights(Shape inputShape, Generator? generator)
    {
    }

    /// <summary>The Keras error for an input of the wrong rank.</summary>
    protected ArgumentException IncompatibleRank(Shape inputShape, int expectedRank, string fix) =>
        new($"Input 0 of layer \"{Name}\" is incompatible with the layer: expected ndim={expectedRank + 1}, " +
            $"found ndim={inputShape.Rank + 1}. " +
            $"Full shape received: {inputShape}. {fix}");

    internal static string ToSnakeCase(string name)
    {
        var s = FirstCapitalRun().Replace(name, "$1_$2");
        s = LowerUpper().Replace(s, "$1_$2");
        return s.ToLowerInvariant();
    }

    [GeneratedRegex("(.)([A-Z][a-z]+)")]
    private static partial Regex FirstCapitalRun();

    [GeneratedRegex("([a-z])([A-Z])")]
    private static partial Regex LowerUpper();
}

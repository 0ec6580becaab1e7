using CnnLab.Core;
using CnnLab.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnLab.Models;

/// <summary>
/// Keras' functional model: a directed acyclic graph of layers from one input to one output, written as Keras users
/// write it (<c>var x = new Conv2D(16, 3).Call(input); var y = new Add().Call(x, shortcut); new Model(input, y)</c>).
/// Residual connections (<see cref="Add"/>) and branches joined by <see cref="Concatenate"/> are what a
/// <see cref="Sequential"/> chain cannot express; compile, fit, evaluate and predict are the same code for both
/// (<see cref="KerasModel"/>).
/// </summary>
public sealed partial class Model : KerasModel
{
    private readonly List<Layer> _layers = new();
    private readonly List<GraphStep> _steps = new();
    private readonly Shape _inputShape;

    /// <summary>
    /// The model computing <paramref name="output"/> from <paramref name="input"/>: every layer called on the way gets its
    /// Keras name (conv2d, conv2d_1, ... unless given) and its weights, drawn from <paramref name="seed"/> in the order
    /// the layers run. A graph that does not lead from this input to that output is refused, naming what is missing.
    /// </summary>
    public Model(KerasTensor input, KerasTensor output, long? seed = null, string name = "model")
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        if (!input.IsInput)
        {
            throw new ArgumentException($"The model's input must come from Model.Input(...); received the output of layer " +
                $"\"{input.Layer!.Name}\".", nameof(input));
        }
        if (ReferenceEquals(input, output))
        {
            throw new ArgumentException("The model's output is its input: call at least one layer on the input.", nameof(output));
        }
        _inputShape = input.Shape;
        InputName = input.InputName!;
        var order = FunctionalGraph.Order(input, output);
        using var generator = new Generator(unchecked((ulong)(seed ?? Random.Shared.NextInt64())), CPU);
        var slots = new Dictionary<KerasTensor, int> { [input] = 0 };
        var names = new FunctionalGraph.Names(InputName, order.Select(t => t.Layer!));
        long weights = 0;
        foreach (var tensor in order)
        {
            var layer = tensor.Layer!;
            layer.AssignName(names.Unique(layer));
            var shapes = tensor.Inbound.Select(t => t.Shape).ToList();
            weights += shapes.Count == 1 && layer is not Merge ? layer.ExpectedWeightCount(shapes[0]) : 0;
            if (weights > ModelLimits.MaxParameters)
            {
                throw ModelLimits.TooManyParameters(layer.Name, shapes[0], layer.ExpectedWeightCount(shapes[0]), weights);
            }
            layer.BuildFor(shapes, generator);
            // No layer of a graph overwrites its input: a tensor can reach a second reader through a layer that returns a
            // view of it (Dropout at inference, Flatten, Reshape), so one reader per tensor does not prove it safe.
            layer.MayOverwriteInput = false;
            register_module(layer.Name, layer);
            _layers.Add(layer);
            slots[tensor] = slots.Count;
            _steps.Add(new GraphStep(layer, tensor.Inbound.Select(t => slots[t]).ToArray(), slots[tensor]));
        }
        OutputShape = output.Shape;
    }

    /// <summary>Keras' <c>keras.Input(shape)</c>: the input of a functional model, (height, width, channels) for images.</summary>
    public static KerasTensor Input(params int[] shape) => Input(new Shape(shape));

    /// <summary>A named input (Keras' <c>keras.Input(shape, name=...)</c>; "input_1" when none is given).</summary>
    public static KerasTensor Input(Shape shape, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return new KerasTensor(shape, null, Array.Empty<KerasTensor>(), name ?? "input_1");
    }

    /// <summary>The input layer's name, as the summary and Keras files show it.</summary>
    public string InputName { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Layer> Layers => _layers;

    /// <inheritdoc />
    public override Shape? InputShape => _inputShape;

    /// <inheritdoc />
    public override Shape? OutputShape { get; }

    /// <summary>For each layer, in <see cref="Layers"/>' order, the layers (or the input's name) it takes its inputs from.</summary>
    public IReadOnlyList<IReadOnlyList<string>> InboundNames
    {
        get
        {
            var names = _steps.ToDictionary(s => s.Output, s => s.Layer.Name);
            names[0] = InputName;
            return _steps.Select(s => (IReadOnlyList<string>)s.Inputs.Select(i => names[i]).ToList()).ToList();
        }
    }

    /// <summary>
    /// Puts a <see cref="Rescaling"/> by <paramref name="scale"/> between the input and every layer that read it: a model
    /// trained on inputs <paramref name="scale"/> times larger than CnnLab's [0, 1] pixels (a Keras model trained on raw
    /// 0-255 values) then computes what it was trained to compute, wherever it runs.
    /// </summary>
    public override Rescaling ScaleInputs(double scale) => InsertFirst(new Rescaling(scale));

    /// <summary>
    /// Puts a <see cref="Normalization"/> adapted to <paramref name="images"/> (the training split, N x C x H x W) between
    /// the input and every layer that read it, so the model standardises its inputs per channel wherever it runs.
    /// </summary>
    public override Normalization StandardizeInputs(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (_steps[0].Layer is Normalization && _steps[0].Inputs.SequenceEqual(new[] { 0 }))
        {
            throw new InvalidOperationException(
                $"Model \"{ModelName}\" already standardises its inputs; standardising twice would distort them.");
        }
        var layer = InsertFirst(new Normalization());
        layer.Adapt(images);
        return layer;
    }

    /// <summary>A layer of the input's shape between the input and every layer that read it.</summary>
    private T InsertFirst<T>(T layer)
        where T : Layer
    {
        var taken = _layers.Select(l => l.Name).Append(InputName).ToHashSet(StringComparer.Ordinal);
        var prefix = layer.DefaultNamePrefix;
        var name = Enumerable.Range(0, taken.Count + 1).Select(i => i == 0 ? prefix : $"{prefix}_{i}").First(n => !taken.Contains(n));
        layer.AssignName(name);
        layer.Build(_inputShape);
        layer.to(Device);
        // The new layer writes a slot of its own; everything that read the input reads it instead.
        var slot = _steps.Count + 1;
        for (var i = 0; i < _steps.Count; i++)
        {
            _steps[i] = _steps[i] with { Inputs = _steps[i].Inputs.Select(s => s == 0 ? slot : s).ToArray() };
        }
        _steps.Insert(0, new GraphStep(layer, new[] { 0 }, slot));
        _layers.Insert(0, layer);
        register_module(name, layer);
        return layer;
    }

    /// <inheritdoc />
    public override bool OutputsProbabilities => _steps[^1].Layer.EndsWithSoftmax;

    /// <summary>Moves the weights to a device ("cpu", "cuda", "cuda:1").</summary>
    public Model ToDevice(string device)
    {
        Device = Engine.ComputeDevice.Parse(device);
        this.to(Device);
        return this;
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => Run(input, logits: false);

    /// <inheritdoc />
    internal override Tensor ForwardLogits(Tensor input) => Run(input, logits: true);

    /// <inheritdoc />
    public override string Summary() => ModelSummary.Format(this);

    /// <inheritdoc />
    public override void Save(string path) => Saving.ModelFile.Save(this, path);

    /// <summary>Reads a functional model saved with <see cref="Save"/>, or a Keras file holding one.</summary>
    public static new Model Load(string path) => KerasModel.Load(path) switch
    {
        Model model => model,
        var other => Refuse(other, path),
    };

    /// <summary>Keras' <c>model_from_json</c> for a functional model: that architecture with fresh weights.</summary>
    public static Model FromJson(string json) => Saving.ModelFile.AnyFromJson(json) switch
    {
        Model model => model,
        var other => Refuse(other, "the model config"),
    };

    private static Model Refuse(KerasModel other, string source)
    {
        other.Dispose();
        throw new InvalidDataException($"{source}: a Sequential model, not a functional one. Load it with Sequential.Load.");
    }

    /// <inheritdoc />
    protected override void RequireLayers()
    {
        // A model always has a layer: the constructor refuses an output that is its input.
    }

    private Tensor Run(Tensor input, bool logits) => GraphExecutor.Run(_steps, _inputShape, input, logits);
}

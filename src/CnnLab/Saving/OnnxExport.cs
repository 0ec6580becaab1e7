using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using CnnLab.Layers;
using CnnLab.Models;
using Google.Protobuf;
using Onnx;
using static TorchSharp.torch;

namespace CnnLab.Saving;

/// <summary>
/// A model as an ONNX file of standard operators (opset <see cref="Opset"/>), for ONNX Runtime and the other engines
/// that read ONNX. The graph takes <see cref="InputName"/>, float32 N x C x H x W with a dynamic batch dimension, and
/// gives <see cref="OutputName"/>, N x classes. Keras' "same" padding becomes explicit pads (the extra row and column at
/// the bottom and right, as TensorFlow pads), so even kernels and SAME pooling compute what CnnLab computes; SAME
/// average pooling leaves the padding out of the mean (count_include_pad 0). Flatten keeps CnnLab's channel-major order,
/// Reshape Keras' channels-last one. Training-only layers (dropout, noise, augmentation) are left out: they are the
/// identity at inference. What the graph does not hold, the metadata says: the class names, the pixel scaling (1/255)
/// and any per-channel standardisation, as <c>cnnlab.*</c> properties (see <see cref="MetadataKeys"/>).
/// </summary>
public static class OnnxExport
{
    /// <summary>The ONNX operator set the files use: 17, the newest Debian 12's onnx 1.12 checker knows.</summary>
    public const int Opset = 17;

    /// <summary>The graph's input: float32 images, N x C x H x W, scaled (and standardised) as the metadata says.</summary>
    public const string InputName = "input";

    /// <summary>The graph's output: N x classes, probabilities when <see cref="MetadataKeys.Output"/> says so.</summary>
    public const string OutputName = "output";

    /// <summary>The metadata properties an exported file carries.</summary>
    public static class MetadataKeys
    {
        /// <summary>JSON array of the class names, in output order (absent when the model has none).</summary>
        public const string ClassNames = "cnnlab.class_names";

        /// <summary>What each 8-bit pixel value is multiplied by before the graph: 1/255 as a decimal number.</summary>
        public const string InputScale = "cnnlab.input_scale";

        /// <summary>JSON arrays of per-channel mean and standard deviation subtracted and divided after scaling (when the model was trained on standardised images).</summary>
        public const string Mean = "cnnlab.mean";

        /// <summary>See <see cref="Mean"/>.</summary>
        public const string Std = "cnnlab.std";

        /// <summary>"probabilities" (the model ends with a softmax) or "scores".</summary>
        public const string Output = "cnnlab.output";

        /// <summary>The dataset the model was trained on, when known.</summary>
        public const string TrainingDataset = "cnnlab.training_dataset";
    }

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> (whole or not at all).</summary>
    public static void Export(Sequential model, string path)
    {
        var proto = Build(model);
        AtomicFile.Write(path, stream => proto.WriteTo(stream));
    }

    /// <summary>The ONNX model of <paramref name="model"/>, serialised.</summary>
    public static byte[] ToBytes(Sequential model) => Build(model).ToByteArray();

    internal static ModelProto Build(Sequential model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var input = model.InputShape ?? throw new ArgumentException("The model has no input shape; build it before exporting.", nameof(model));
        var graph = new GraphBuilder($"{model.ModelName}");
        using (no_grad())
        {
            foreach (var layer in model.Layers)
            {
                AddLayer(graph, layer);
            }
        }
        graph.Finish();
        var output = model.OutputShape!;
        graph.Graph.Input.Add(ValueInfo(InputName, BatchOf(input)));
        graph.Graph.Output.Add(ValueInfo(OutputName, BatchOf(output)));

        var proto = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "CnnLab",
            ProducerVersion = typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "",
            DocString = $"CnnLab model \"{model.ModelName}\": input {InputName} float32 N x {string.Join(" x ", BatchOf(input).Skip(1))}, " +
                        $"pixels times {MetadataKeys.InputScale}{(model.InputStandardization is null ? "" : ", then standardised per channel")}; output {OutputName} N x {output.Channels}.",
            Graph = graph.Graph,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        void Meta(string key, string value) => proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        Meta(MetadataKeys.InputScale, (1.0 / 255).ToString("R", CultureInfo.InvariantCulture));
        Meta(MetadataKeys.Output, model.EndsWithSoftmax ? "probabilities" : "scores");
        if (model.ClassNames is { } names)
        {
            Meta(MetadataKeys.ClassNames, JsonSerializer.Serialize(names));
        }
        if (model.InputStandardization is { } standardization)
        {
            Meta(MetadataKeys.Mean, JsonSerializer.Serialize(standardization.Mean));
            Meta(MetadataKeys.Std, JsonSerializer.Serialize(standardization.Std));
        }
        if (model.TrainingDataset is { } dataset)
        {
            Meta(MetadataKeys.TrainingDataset, dataset);
        }
        return proto;
    }

    /// <summary>A batch of <paramref name="shape"/> as ONNX lays it out: -1 (the dynamic batch), then channels first for an image.</summary>
    private static long[] BatchOf(Shape shape) => shape.Rank == 3
        ? new long[] { -1, shape.Channels, shape.Height, shape.Width }
        : new long[] { -1 }.Concat(shape.Dimensions.Select(d => (long)d)).ToArray();

    private static void AddLayer(GraphBuilder g, Layer layer)
    {
        var input = layer.InputShape!;
        switch (layer)
        {
            case Conv2D c:
            {
                var inputs = new List<string> { g.Current, g.Weight($"{c.Name}.kernel", c.Kernel) };
                if (c.Bias is { } bias)
                {
                    inputs.Add(g.Weight($"{c.Name}.bias", bias));
                }
                g.Node("Conv", c.Name, inputs, WindowAttributes(c.KernelSize, c.Strides, c.Padding == Padding.Same ? SamePads(input, c.KernelSize, c.Strides) : null));
                AddActivation(g, c.ActivationName, c.Name);
                break;
            }
            case DepthwiseConv2D dw:
            {
                // PyTorch's grouped layout, as CnnLab keeps it: (channels x multiplier, 1, height, width), one group per channel.
                var inputs = new List<string> { g.Current, g.Weight($"{dw.Name}.kernel", dw.Kernel) };
                if (dw.UseBias)
                {
                    inputs.Add(g.Weight($"{dw.Name}.bias", dw.parameters().Last()));
                }
                var attributes = WindowAttributes(dw.KernelSize, dw.Strides, dw.Padding == Padding.Same ? SamePads(input, dw.KernelSize, dw.Strides) : null);
                attributes.Add(Int("group", input.Channels));
                g.Node("Conv", dw.Name, inputs, attributes);
                AddActivation(g, dw.ActivationName, dw.Name);
                break;
            }
            case Dense d:
            {
                if (input.Rank != 1)
                {
                    throw new NotSupportedException($"Layer \"{d.Name}\" (Dense) takes a rank-{input.Rank} input {input}; only Dense layers on vectors (after a Flatten) can be exported to ONNX.");
                }
                // CnnLab keeps Dense kernels as (units, inputs), PyTorch's order: Gemm multiplies by their transpose.
                var inputs = new List<string> { g.Current, g.Weight($"{d.Name}.kernel", d.Kernel) };
                if (d.Bias is { } bias)
                {
                    inputs.Add(g.Weight($"{d.Name}.bias", bias));
                }
                g.Node("Gemm", d.Name, inputs, new() { Int("transB", 1) });
                AddActivation(g, d.ActivationName, d.Name);
                break;
            }
            case BatchNormalization b:
            {
                var channels = input.Channels;
                using var gamma = b.Gamma is null ? ones(channels) : null;
                using var beta = b.Beta is null ? zeros(channels) : null;
                g.Node("BatchNormalization", b.Name,
                    new() { g.Current, g.Weight($"{b.Name}.gamma", b.Gamma ?? gamma!), g.Weight($"{b.Name}.beta", b.Beta ?? beta!),
                            g.Weight($"{b.Name}.moving_mean", b.MovingMean), g.Weight($"{b.Name}.moving_variance", b.MovingVariance) },
                    new() { Float("epsilon", b.Epsilon) });
                break;
            }
            case LeakyReLU l:
                g.Node("LeakyRelu", l.Name, new() { g.Current }, new() { Float("alpha", l.Alpha) });
                break;
            case ReLU r when r.MaxValue is double max:
                g.Node("Clip", r.Name, new() { g.Current, g.Scalar($"{r.Name}.min", 0), g.Scalar($"{r.Name}.max", (float)max) });
                break;
            case ReLU r:
                g.Node("Relu", r.Name, new() { g.Current });
                break;
            case Activation a:
                AddActivation(g, a.ActivationName, a.Name);
                break;
            case MaxPooling2D p:
                // ONNX's max pooling ignores padded cells, as TensorFlow's SAME max pooling does.
                g.Node("MaxPool", p.Name, new() { g.Current }, WindowAttributes(p.PoolSize, p.Strides, p.Padding == Padding.Same ? SamePads(input, p.PoolSize, p.Strides) : null));
                break;
            case AveragePooling2D p:
            {
                var attributes = WindowAttributes(p.PoolSize, p.Strides, p.Padding == Padding.Same ? SamePads(input, p.PoolSize, p.Strides) : null);
                attributes.Add(Int("count_include_pad", 0));
                g.Node("AveragePool", p.Name, new() { g.Current }, attributes);
                break;
            }
            case Flatten f when input.Rank > 1:
                // N x C x H x W flattened channel-major, as CnnLab's Flatten; the next Dense's kernel is in that order.
                g.Node("Flatten", f.Name, new() { g.Current }, new() { Int("axis", 1) });
                break;
            case Flatten:
                break;
            case GlobalAveragePooling2D p:
                g.Node("GlobalAveragePool", p.Name, new() { g.Current });
                g.Node("Flatten", p.Name + "/flatten", new() { g.Current }, new() { Int("axis", 1) });
                break;
            case ZeroPadding2D z:
                g.Node("Pad", z.Name, new() { g.Current, g.Int64s($"{z.Name}.pads", 0, 0, z.Top, z.Left, 0, 0, z.Bottom, z.Right) });
                break;
            case Rescaling r:
                g.Node("Mul", r.Name + "/scale", new() { g.Current, g.Scalar($"{r.Name}.scale", (float)r.Scale) });
                g.Node("Add", r.Name + "/offset", new() { g.Current, g.Scalar($"{r.Name}.offset", (float)r.Offset) });
                break;
            case Reshape r:
            {
                // Keras' element order is channels-last: an image is read pixel by pixel, and a 3-d target is an image again.
                if (input.Rank == 3)
                {
                    g.Node("Transpose", r.Name + "/to_nhwc", new() { g.Current }, new() { Ints("perm", 0, 2, 3, 1) });
                }
                var target = r.OutputShape!;
                var dims = target.Rank == 3 ? new long[] { target.Height, target.Width, target.Channels } : target.Dimensions.Select(d => (long)d).ToArray();
                g.Node("Reshape", r.Name, new() { g.Current, g.Int64s($"{r.Name}.shape", new long[] { 0 }.Concat(dims).ToArray()) });
                if (target.Rank == 3)
                {
                    g.Node("Transpose", r.Name + "/to_nchw", new() { g.Current }, new() { Ints("perm", 0, 3, 1, 2) });
                }
                break;
            }
            case Dropout or SpatialDropout2D or GaussianNoise or RandomLayer:
                // Active in training only: the identity at inference.
                break;
            default:
                throw new NotSupportedException($"Layer \"{layer.Name}\" ({layer.TypeName}) has no ONNX translation; it cannot be exported.");
        }
    }

    private static void AddActivation(GraphBuilder g, string? activation, string layer)
    {
        var name = $"{layer}/{activation}";
        switch (activation)
        {
            case null or "linear":
                break;
            case "relu":
                g.Node("Relu", name, new() { g.Current });
                break;
            case "leaky_relu":
                g.Node("LeakyRelu", name, new() { g.Current }, new() { Float("alpha", 0.2) });
                break;
            case "elu":
                g.Node("Elu", name, new() { g.Current }, new() { Float("alpha", 1.0) });
                break;
            case "gelu":
            {
                // Opset 17 has no Gelu: x * (1 + erf(x / sqrt 2)) / 2, the exact form CnnLab computes.
                var x = g.Current;
                g.Node("Div", name + "/scaled", new() { x, g.Scalar(name + ".sqrt2", MathF.Sqrt(2)) });
                g.Node("Erf", name + "/erf", new() { g.Current });
                g.Node("Add", name + "/plus1", new() { g.Current, g.Scalar(name + ".one", 1) });
                g.Node("Mul", name + "/times_x", new() { x, g.Current });
                g.Node("Mul", name, new() { g.Current, g.Scalar(name + ".half", 0.5f) });
                break;
            }
            case "tanh":
                g.Node("Tanh", name, new() { g.Current });
                break;
            case "sigmoid":
                g.Node("Sigmoid", name, new() { g.Current });
                break;
            case "softmax":
                g.Node("Softmax", name, new() { g.Current }, new() { Int("axis", 1) });
                break;
            default:
                throw new NotSupportedException($"Activation \"{activation}\" of layer \"{layer}\" has no ONNX translation; it cannot be exported.");
        }
    }

    private static (int Top, int Bottom, int Left, int Right) SamePads(Shape input, Size2 window, Size2 strides)
    {
        var (top, bottom) = PaddingRules.SamePadding(input.Height, window.Height, strides.Height);
        var (left, right) = PaddingRules.SamePadding(input.Width, window.Width, strides.Width);
        return (top, bottom, left, right);
    }

    private static List<AttributeProto> WindowAttributes(Size2 window, Size2 strides, (int Top, int Bottom, int Left, int Right)? pads)
    {
        var attributes = new List<AttributeProto> { Ints("kernel_shape", window.Height, window.Width), Ints("strides", strides.Height, strides.Width) };
        if (pads is var (top, bottom, left, right))
        {
            // ONNX: the beginnings of each spatial axis, then their ends.
            attributes.Add(Ints("pads", top, left, bottom, right));
        }
        return attributes;
    }

    private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Float(string name, double value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = (float)value };

    private static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private static ValueInfoProto ValueInfo(string name, long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim < 0 ? new TensorShapeProto.Types.Dimension { DimParam = "batch" } : new TensorShapeProto.Types.Dimension { DimValue = dim });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    /// <summary>Nodes in order, each reading the one before (<see cref="Current"/>), and the weights they use.</summary>
    private sealed class GraphBuilder
    {
        private int _count;

        public GraphBuilder(string name) => Graph = new GraphProto { Name = name };

        public GraphProto Graph { get; }

        /// <summary>The name of the value the next node reads.</summary>
        public string Current { get; private set; } = InputName;

        public void Node(string op, string name, List<string> inputs, List<AttributeProto>? attributes = null)
        {
            var output = $"{name}:{_count++}";
            var node = new NodeProto { OpType = op, Name = name };
            node.Input.AddRange(inputs);
            node.Output.Add(output);
            if (attributes is not null)
            {
                node.Attribute.AddRange(attributes);
            }
            Graph.Node.Add(node);
            Current = output;
        }

        /// <summary>The last node writes the graph's output; a model of identities alone gets an Identity node.</summary>
        public void Finish()
        {
            if (Graph.Node.Count == 0)
            {
                Node("Identity", "identity", new() { Current });
            }
            var last = Graph.Node[^1];
            last.Output[0] = OutputName;
            Current = OutputName;
        }

        public string Weight(string name, Tensor value)
        {
            using var data = value.detach().cpu().to(ScalarType.Float32).contiguous();
            var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
            proto.Dims.AddRange(data.shape);
            proto.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data.data<float>().ToArray().AsSpan()));
            Graph.Initializer.Add(proto);
            return name;
        }

        public string Scalar(string name, float value)
        {
            var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
            proto.FloatData.Add(value);
            Graph.Initializer.Add(proto);
            return name;
        }

        public string Int64s(string name, params long[] values)
        {
            var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
            proto.Dims.Add(values.Length);
            proto.Int64Data.AddRange(values);
            Graph.Initializer.Add(proto);
            return name;
        }
    }
}

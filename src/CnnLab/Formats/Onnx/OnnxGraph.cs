using System.Runtime.InteropServices;
using CnnLab.Core;
using CnnLab.Export;
using CnnLab.Layers;
using Google.Protobuf;
using Onnx;
using static TorchSharp.torch;

namespace CnnLab.Formats.Onnx;

/// <summary>
/// The ONNX graph a model's layers write themselves into (<see cref="Layer.ToOnnx"/>): nodes in order, each reading the
/// value the one before wrote (<see cref="Current"/>), and the weights they use as initializers.
/// </summary>
internal sealed class OnnxGraph
{
    /// <summary>The graph's input value, which the first node reads.</summary>
    public const string InputName = "input";

    /// <summary>The graph's output value, which the last node writes.</summary>
    public const string OutputName = "output";

    private int _count;

    public OnnxGraph(string name) => Graph = new GraphProto { Name = name };

    public GraphProto Graph { get; }

    /// <summary>The name of the value the next node reads.</summary>
    public string Current { get; set; } = InputName;

    /// <summary>Adds a node reading <paramref name="inputs"/>; its one output becomes <see cref="Current"/>.</summary>
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

    /// <summary>A weighted node's inputs: <see cref="Current"/>, the kernel as
    /// initializer LAYER.KERNEL_NAME and the bias, if any, as LAYER.bias.</summary>
    public List<string> WeightedInputs(string layer, string kernelName, Tensor kernel, Tensor? bias)
    {
        var inputs = new List<string> { Current, Weight($"{layer}.{kernelName}", kernel) };
        if (bias is not null)
        {
            inputs.Add(Weight($"{layer}.bias", bias));
        }
        return inputs;
    }

    /// <summary>A one-input node on <see cref="Current"/>.</summary>
    public void Unary(string op, string name, params AttributeProto[] attributes) =>
        Node(op, name, new List<string> { Current }, attributes.ToList());

    /// <summary>The last node writes the graph's output; a model of identities alone gets an Identity node.</summary>
    public void Finish()
    {
        if (Graph.Node.Count == 0)
        {
            Unary("Identity", "identity");
        }
        Graph.Node[^1].Output[0] = OutputName;
        Current = OutputName;
    }

    /// <summary>A float32 initializer holding <paramref name="value"/> (raw little-endian bytes, as ONNX stores them).</summary>
    public string Weight(string name, Tensor value)
    {
        using var data = value.detach().cpu().to(ScalarType.Float32).contiguous();
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        proto.Dims.AddRange(data.shape);
        proto.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data.data<float>().ToArray().AsSpan()));
        Graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>A float32 scalar initializer.</summary>
    public string Scalar(string name, float value)
    {
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        proto.FloatData.Add(value);
        Graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>An int64 vector initializer (shapes, pads).</summary>
    public string Int64s(string name, params long[] values)
    {
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.Dims.Add(values.Length);
        proto.Int64Data.AddRange(values);
        Graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>A Keras activation after <paramref name="layer"/>'s node; nothing for none or "linear".</summary>
    public void Activation(string? activation, string layer)
    {
        var name = $"{layer}/{activation}";
        switch (activation)
        {
            case null or "linear":
                break;
            case "relu":
                Unary("Relu", name);
                break;
            case "leaky_relu":
                Unary("LeakyRelu", name, Float("alpha", 0.2));
                break;
            case "elu":
                Unary("Elu", name, Float("alpha", 1.0));
                break;
            case "gelu":
            {
                // Opset 17 has no Gelu: x * (1 + erf(x / sqrt 2)) / 2, the exact form CnnLab computes.
                var x = Current;
                Node("Div", name + "/scaled", new() { x, Scalar(name + ".sqrt2", MathF.Sqrt(2)) });
                Unary("Erf", name + "/erf");
                Node("Add", name + "/plus1", new() { Current, Scalar(name + ".one", 1) });
                Node("Mul", name + "/times_x", new() { x, Current });
                Node("Mul", name, new() { Current, Scalar(name + ".half", 0.5f) });
                break;
            }
            case "tanh":
                Unary("Tanh", name);
                break;
            case "sigmoid":
                Unary("Sigmoid", name);
                break;
            case "softmax":
                Unary("Softmax", name, Int("axis", 1));
                break;
            default:
                throw new NotSupportedException($"Activation \"{activation}\" of layer \"{layer}\" has no ONNX translation; " +
                    $"it cannot be exported.");
        }
    }

    /// <summary>kernel_shape, strides and, for Keras' "same" padding, TensorFlow's pads (the extra cell at the end).</summary>
    public static List<AttributeProto> Window(Shape input, Size2 window, Size2 strides, Padding padding)
    {
        var attributes = new List<AttributeProto> { Ints("kernel_shape", window.Height, window.Width),
            Ints("strides", strides.Height, strides.Width) };
        if (padding == Padding.Same)
        {
            var (top, bottom) = PaddingRules.SamePadding(input.Height, window.Height, strides.Height);
            var (left, right) = PaddingRules.SamePadding(input.Width, window.Width, strides.Width);
            // ONNX: the beginnings of each spatial axis, then their ends.
            attributes.Add(Ints("pads", top, left, bottom, right));
        }
        return attributes;
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, double value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = (float)value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }
}

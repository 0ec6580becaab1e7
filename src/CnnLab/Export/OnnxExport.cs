using System.Globalization;
using System.Text.Json;
using CnnLab.Core;
using CnnLab.Formats;
using CnnLab.Formats.Onnx;
using CnnLab.Layers;
using CnnLab.Models;
using Google.Protobuf;
using Onnx;
using static TorchSharp.torch;

namespace CnnLab.Export;

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
    public const string InputName = OnnxGraph.InputName;

    /// <summary>The graph's output: N x classes, probabilities when <see cref="MetadataKeys.Output"/> says so.</summary>
    public const string OutputName = OnnxGraph.OutputName;

    /// <summary>The metadata properties an exported file carries.</summary>
    public static class MetadataKeys
    {
        /// <summary>JSON array of the class names, in output order (absent when the model has none).</summary>
        public const string ClassNames = "cnnlab.class_names";

        /// <summary>What each 8-bit pixel value is multiplied by before the graph: 1/255 as a decimal number.</summary>
        public const string InputScale = "cnnlab.input_scale";

        /// <summary>JSON arrays of per-channel mean and standard deviation subtracted and
        /// divided after scaling (when the model was trained on standardised images).</summary>
        public const string Mean = "cnnlab.mean";

        /// <summary>See <see cref="Mean"/>.</summary>
        public const string Std = "cnnlab.std";

        /// <summary>"probabilities" (the model ends with a softmax) or "scores".</summary>
        public const string Output = "cnnlab.output";

        /// <summary>The dataset the model was trained on, when known.</summary>
        public const string TrainingDataset = "cnnlab.training_dataset";
    }

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> (whole or not at all).</summary>
    public static void Export(KerasModel model, string path)
    {
        var proto = Build(model);
        AtomicFile.Write(path, stream => proto.WriteTo(stream));
    }

    /// <summary>The ONNX model of <paramref name="model"/>, serialised.</summary>
    public static byte[] ToBytes(KerasModel model) => Build(model).ToByteArray();

    internal static ModelProto Build(KerasModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var input = model.InputShape
            ?? throw new ArgumentException("The model has no input shape; build it before exporting.", nameof(model));
        var graph = new OnnxGraph(model.ModelName);
        using (no_grad())
        {
            if (model is Model functional)
            {
                // A graph: each layer's nodes read the values its inbound layers wrote, by name.
                var values = new Dictionary<string, string>(StringComparer.Ordinal) { [functional.InputName] = InputName };
                foreach (var (layer, inbound) in functional.Layers.Zip(functional.InboundNames))
                {
                    if (layer is Merge merge)
                    {
                        merge.ToOnnx(graph, inbound.Select(n => values[n]).ToList());
                    }
                    else
                    {
                        graph.Current = values[inbound[0]];
                        layer.ToOnnx(graph);
                    }
                    values[layer.Name] = graph.Current;
                }
            }
            else
            {
                foreach (var layer in model.Layers)
                {
                    layer.ToOnnx(graph);
                }
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
            DocString = $"CnnLab model \"{model.ModelName}\": input {InputName} float32 N x " +
                        $"{string.Join(" x ", BatchOf(input).Skip(1))}, " +
                        $"pixels times " +
                        $"{MetadataKeys.InputScale}{(model.InputStandardization is null ? "" : ", then standardised per channel")}; " +
                        $"output {OutputName} N x {output.Channels}.",
            Graph = graph.Graph,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        void Meta(string key, string value) => proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        Meta(MetadataKeys.InputScale, (1.0 / 255).ToString("R", CultureInfo.InvariantCulture));
        Meta(MetadataKeys.Output, model.OutputsProbabilities ? "probabilities" : "scores");
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

    /// <summary>A batch of <paramref name="shape"/> as ONNX lays it out:
    /// -1 (the dynamic batch), then channels first for an image.</summary>
    private static long[] BatchOf(Shape shape) => shape.Rank == 3
        ? new long[] { -1, shape.Channels, shape.Height, shape.Width }
        : new long[] { -1 }.Concat(shape.Dimensions.Select(d => (long)d)).ToArray();

    private static ValueInfoProto ValueInfo(string name, long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim < 0 ? new TensorShapeProto.Types.Dimension { DimParam = "batch" }
                : new TensorShapeProto.Types.Dimension { DimValue = dim });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float,
                Shape = shape } },
        };
    }
}

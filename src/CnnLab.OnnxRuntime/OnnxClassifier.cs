using System.Globalization;
using System.Text.Json;
using CnnLab.Core;
using CnnLab.Data;
using CnnLab.Export;
using CnnLab.Formats;
using CnnLab.Layers;
using CnnLab.Models;
using CnnLab.Training;
using Microsoft.ML.OnnxRuntime;
using static TorchSharp.torch;
using TensorElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;

namespace CnnLab.OnnxRuntime;

/// <summary>
/// An image classifier in an ONNX file, run by ONNX Runtime on the CPU: a file written by <see cref="OnnxExport"/> (its
/// class names and input preparation come from its metadata), or any ONNX model with one float32 N x C x H x W input and
/// one N x classes output. The file is parsed by ONNX Runtime; anything it refuses, or a graph of another form, is an
/// <see cref="InvalidDataException"/> naming the file.
/// </summary>
public sealed class OnnxClassifier : IImageClassifier
{
    /// <summary>The largest ONNX file read: 2 GiB, protobuf's own limit.</summary>
    public const long MaxFileBytes = (2L << 30) - 1;

    /// <summary>
    /// The most classes a graph may declare: a million (ImageNet-21k has 21,841). The outputs of a batch are allocated from
    /// the declared count, so a graph declaring 50,000,000 made a prediction take gigabytes before ONNX Runtime failed.
    /// </summary>
    public const long MaxClasses = 1_000_000;

    private readonly InferenceSession _session;
    private readonly string _inputName;
    private readonly long[] _inputDimensions;
    private readonly string _outputName;
    private readonly string _source;

    private OnnxClassifier(InferenceSession session, string source)
    {
        _session = session;
        _source = source;
        if (session.InputMetadata.Count != 1 || session.OutputMetadata.Count != 1)
        {
            throw new InvalidDataException($"{source}: the graph has {session.InputMetadata.Count} input(s) " +
                $"and {session.OutputMetadata.Count} output(s); an image classifier has one of each.");
        }
        var (inputName, input) = session.InputMetadata.Single();
        var (outputName, output) = session.OutputMetadata.Single();
        if (input.ElementDataType != TensorElementType.Float || input.Dimensions.Length is not (3 or 4)
            || input.Dimensions.Skip(1).Any(d => d <= 0))
        {
            throw new InvalidDataException($"{source}: the input \"{inputName}\" is {input.ElementDataType} " +
                $"[{string.Join(", ", input.Dimensions)}]; " +
                "an image classifier takes float32 [batch, channels, height, width] (or [batch, height, width] for one channel) " +
                "with fixed channels, height and width.");
        }
        if (output.Dimensions.Length != 2 || output.Dimensions[1] <= 0)
        {
            throw new InvalidDataException($"{source}: the output \"{outputName}\" is [{string.Join(", ", output.Dimensions)}]; " +
                $"an image classifier gives [batch, classes].");
        }
        if (output.Dimensions[1] > MaxClasses)
        {
            throw new InvalidDataException($"{source}: the output \"{outputName}\" declares {output.Dimensions[1]:N0} classes; " +
                $"an image classifier here has at most {MaxClasses:N0}.");
        }
        if (ModelLimits.SampleElements(input.Dimensions.Skip(1)) is null)
        {
            throw new InvalidDataException($"{source}: the input \"{inputName}\" declares [{string.Join(", ", input.Dimensions)}], more " +
                $"than {ModelLimits.MaxSampleElements:N0} values an image.");
        }
        _inputName = inputName;
        _outputName = outputName;
        // A graph without the channel axis (a Keras input of (28, 28)) takes single-channel images: the same values.
        _inputDimensions = input.Dimensions.Skip(1).Select(d => (long)d).ToArray();
        InputShape = input.Dimensions.Length == 3 ? Shape.Image(input.Dimensions[1], input.Dimensions[2], 1)
            : Shape.Image(input.Dimensions[2], input.Dimensions[3], input.Dimensions[1]);
        ClassCount = output.Dimensions[1];
        var metadata = session.ModelMetadata.CustomMetadataMap;
        ClassNames = Read<string[]>(metadata, OnnxExport.MetadataKeys.ClassNames);
        if (ClassNames is not null && ClassNames.Count != ClassCount)
        {
            throw new InvalidDataException($"{source}: {OnnxExport.MetadataKeys.ClassNames} lists {ClassNames.Count} names for " +
                $"{ClassCount} outputs.");
        }
        var mean = Read<float[]>(metadata, OnnxExport.MetadataKeys.Mean);
        var std = Read<float[]>(metadata, OnnxExport.MetadataKeys.Std);
        if (mean is not null || std is not null)
        {
            if (mean?.Length != InputShape.Channels || std?.Length != InputShape.Channels || std.Any(s => !(s > 0)))
            {
                throw new InvalidDataException($"{source}: {OnnxExport.MetadataKeys.Mean} and {OnnxExport.MetadataKeys.Std} must both " +
                    $"give {InputShape.Channels} values, the deviations positive.");
            }
            InputStandardization = Standardization.From(mean, std);
        }
        TrainingDataset = metadata.GetValueOrDefault(OnnxExport.MetadataKeys.TrainingDataset);
        OutputsProbabilities = metadata.GetValueOrDefault(OnnxExport.MetadataKeys.Output) == "probabilities";
        if (metadata.TryGetValue(OnnxExport.MetadataKeys.InputScale, out var scale)
            && !(double.TryParse(scale, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && Math.Abs(s - 1.0 / 255) < 1e-9))
        {
            throw new InvalidDataException($"{source}: {OnnxExport.MetadataKeys.InputScale} is \"{scale}\"; CnnLab feeds pixels scaled " +
                $"by 1/255 (0.00392156862745098).");
        }

        T? Read<T>(IReadOnlyDictionary<string, string> values, string key) where T : class
        {
            if (!values.TryGetValue(key, out var text))
            {
                return null;
            }
            try
            {
                return JsonSerializer.Deserialize<T>(text) ?? throw new JsonException("null");
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{source}: the metadata property {key} is not a JSON array ({e.Message}).");
            }
        }
    }

    /// <summary>The ONNX Runtime version loaded.</summary>
    public static string RuntimeVersion => OrtEnv.Instance().GetVersionString();

    /// <inheritdoc />
    public Shape InputShape { get; }

    /// <inheritdoc />
    public int ClassCount { get; }

    /// <inheritdoc />
    public IReadOnlyList<string>? ClassNames { get; }

    /// <inheritdoc />
    public Standardization? InputStandardization { get; }

    /// <inheritdoc />
    public string? TrainingDataset { get; }

    /// <inheritdoc />
    public bool OutputsProbabilities { get; }

    /// <summary>
    /// Opens <paramref name="path"/> with <paramref name="threads"/> intra-op threads (0: ONNX Runtime's choice, one per
    /// core). ONNX Runtime opens the file itself, so weights saved as external data are found beside the model, never in
    /// the working directory, and a location that leaves the model's folder is refused.
    /// </summary>
    public static OnnxClassifier Load(string path, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(path);
        var kind = FileKinds.Of(path);
        if (kind == FileKind.Missing)
        {
            throw new FileNotFoundException($"{path} does not exist.", path);
        }
        FileKinds.RequireRegularFile(path, "an ONNX file (.onnx)");
        var length = new FileInfo(path).Length;
        if (length > MaxFileBytes)
        {
            throw new InvalidDataException($"{path} is {length:N0} bytes; ONNX files over {MaxFileBytes:N0} bytes are refused.");
        }
        return Open(options => new InferenceSession(Path.GetFullPath(path), options), path, threads);
    }

    /// <summary>The model in <paramref name="onnx"/>; <paramref name="source"/> names it in errors. It has no folder, so
    /// weights saved as external data cannot be found: load such a model from its path.</summary>
    public static OnnxClassifier FromBytes(byte[] onnx, string source, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(onnx);
        return Open(options => new InferenceSession(onnx, options), source, threads);
    }

    private static OnnxClassifier Open(Func<SessionOptions, InferenceSession> create, string source, int threads)
    {
        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL;
        InferenceSession session;
        try
        {
            session = create(options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"{source}: ONNX Runtime cannot load it: {FirstLine(e.Message)}");
        }
        try
        {
            return new OnnxClassifier(session, source);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>The outputs (N x classes) for <paramref name="count"/>
    /// images laid out N x C x H x W in <paramref name="images"/>.</summary>
    public float[] Run(ReadOnlySpan<float> images, int count)
    {
        var size = checked((int)InputShape.Size);
        if (count < 0 || images.Length != (long)count * size)
        {
            throw new ArgumentException($"{count} images of {InputShape} need {(long)count * size:N0} values; got {images.Length:N0}.",
                nameof(images));
        }
        return count == 0 ? [] : RunOn(images.ToArray(), count);
    }

    /// <summary><see cref="Run"/> on a buffer ONNX Runtime may read in place.</summary>
    private float[] RunOn(float[] buffer, int count)
    {
        var outputs = new float[(long)count * ClassCount];
        using var input =
            OrtValue.CreateTensorValueFromMemory(buffer, new long[] { count }.Concat(_inputDimensions).ToArray());
        using var output = OrtValue.CreateTensorValueFromMemory(outputs, new long[] { count, ClassCount });
        using var runOptions = new RunOptions();
        try
        {
            _session.Run(runOptions, new[] { _inputName }, new[] { input }, new[] { _outputName }, new[] { output });
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"{_source}: ONNX Runtime failed to run it: {FirstLine(e.Message)}");
        }
        return outputs;
    }

    /// <inheritdoc />
    public Tensor Predict(Tensor images, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4 || images.shape[1] != InputShape.Channels || images.shape[2] != InputShape.Height
            || images.shape[3] != InputShape.Width)
        {
            throw new ArgumentException($"Images are [{string.Join(", ", images.shape)}]; {_source} takes N x {InputShape.Channels} x " +
                $"{InputShape.Height} x {InputShape.Width}.", nameof(images));
        }
        var count = images.shape[0];
        var result = new float[count * ClassCount];
        // The standardisation an older export keeps in its metadata rather than in the graph, applied as training did.
        using var standardized = InputStandardization is null ? null : images.to(ScalarType.Float32).clone();
        if (standardized is not null)
        {
            InputStandardization!.Apply(standardized);
        }
        var inputs = standardized ?? images;
        for (long start = 0; start < count; start += batchSize)
        {
            var n = (int)Math.Min(batchSize, count - start);
            using var batch = inputs.narrow(0, start, n).to(ScalarType.Float32).contiguous();
            RunOn(batch.data<float>().ToArray(), n).CopyTo(result, start * ClassCount);
        }
        return tensor(result, new long[] { count, ClassCount });
    }

    /// <inheritdoc />
    public string NonFiniteCause() =>
        "the input overflows it or its weights are not finite. Check that the images are scaled as the training data were, " +
            "and export the model again.";

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}

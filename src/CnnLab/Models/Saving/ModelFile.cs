using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CnnLab.Core;
using CnnLab.Formats;
using CnnLab.Formats.Json;
using CnnLab.Layers;
using CnnLab.Models;
using static TorchSharp.torch;

namespace CnnLab.Models.Saving;

/// <summary>
/// A saved model in one safetensors file: the weights (with BatchNormalization's moving statistics) under their
/// state-dict names, and the architecture as Keras-style JSON (<see cref="KerasModel.ToJson"/>) in the file's
/// metadata. Loading rebuilds the model from the JSON and takes the weights only from the tensors, so nothing in the
/// file is ever executed; every expected tensor must be there with its shape, and nothing else may be.
/// </summary>
public static class ModelFile
{
    private const string ConfigKey = "cnnlab_config";
    private const string FormatKey = "format";
    private const string Format = "cnnlab/1";
    private const string ClassNamesKey = "cnnlab_class_names";
    private const string StandardizationKey = "cnnlab_standardization";
    private const string DatasetKey = "cnnlab_dataset";

    /// <summary>The architecture as JSON: a Sequential's, or a functional model's (<see cref="FunctionalConfig.ToJson"/>).</summary>
    public static string ToJson(KerasModel model) => model switch
    {
        Sequential sequential => ToJson(sequential),
        Model functional => FunctionalConfig.ToJson(functional),
        _ => throw new ArgumentException($"CnnLab cannot write the architecture of a {model?.GetType().Name}.", nameof(model)),
    };

    /// <summary>The architecture as JSON: {"class_name": "Sequential", "config": {"name", "input_shape", "layers": [...]}}.</summary>
    public static string ToJson(Sequential model)
    {
        var layers = new JsonArray(model.Layers.Select(l => (JsonNode)LayerConfig.ToConfig(l)).ToArray());
        var root = new JsonObject
        {
            ["class_name"] = "Sequential",
            ["config"] = new JsonObject
            {
                ["name"] = model.ModelName,
                ["input_shape"] = new JsonArray(model.InputShape!.Dimensions.Select(d => (JsonNode)d).ToArray()),
                ["layers"] = layers,
            },
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>A new model with the architecture of <paramref name="json"/> and fresh weights.</summary>
    public static Sequential FromJson(string json, string source = "the model config") =>
        AsSequential(FromJson(json, source, weightBudget: null), source);

    /// <summary>A new model, Sequential or functional, with the architecture of <paramref name="json"/> and fresh weights.</summary>
    public static KerasModel AnyFromJson(string json, string source = "the model config") => FromJson(json, source, weightBudget: null);

    /// <summary>The model as a Sequential, or an error saying it is a graph (and disposing it).</summary>
    internal static Sequential AsSequential(KerasModel model, string source)
    {
        if (model is Sequential sequential)
        {
            return sequential;
        }
        model.Dispose();
        throw new InvalidDataException($"{source}: a functional model (a graph of layers), not a Sequential chain. Load it with " +
            "KerasModel.Load or Model.Load.");
    }

    /// <summary>
    /// The model of a config; anything malformed is an <see cref="InvalidDataException"/> starting with
    /// <paramref name="source"/> and naming the key. With <paramref name="weightBudget"/> (the values a file's tensors
    /// hold), a config asking for far more weights than that is refused before they are allocated: they could not be
    /// loaded anyway, and a 1 KB config could otherwise make every load allocate gigabytes.
    /// </summary>
    internal static KerasModel FromJson(string json, string source, long? weightBudget)
    {
        const string at = "the model config";
        var parsed = JsonText.Parse(json, source, at);
        var root = parsed as JsonObject
            ?? throw new InvalidDataException($"{source}: {at} is {JsonFields.Describe(parsed)}; " +
                $"expected a JSON object {{\"class_name\": \"Sequential\", \"config\": {{...}}}}.");
        try
        {
            var className = JsonFields.Text(root, "class_name", at, "\"Sequential\" or \"Functional\"");
            if (className is not ("Sequential" or "Functional"))
            {
                throw JsonFields.Wrong(at, "class_name", root, "\"Sequential\" or \"Functional\", the model classes CnnLab saves");
            }
            var config = JsonFields.Object(root, "config", at, "an object with \"name\", \"input_shape\" and \"layers\"");
            var shapeNode = JsonFields.Array(config, "input_shape", at, "a list of positive whole numbers such as [28, 28, 1]");
            var shape = shapeNode.Select(JsonFields.IntOf).ToArray();
            if (shape.Length == 0 || shape.Any(d => d is not > 0))
            {
                throw JsonFields.Wrong(at, "input_shape", config, "a list of positive whole numbers such as [28, 28, 1]");
            }
            var layers = JsonFields.Array(config, "layers", at, "a list of layer configs, [{\"class_name\": ..., \"config\": {...}}, ...]");
            RequireLayerCount(layers.Count, at);
            var name = JsonFields.OptionalText(config, "name", at) ?? "sequential";
            Shape inputShape;
            try
            {
                inputShape = new Shape(shape.Select(d => d!.Value).ToArray());
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"{at}: \"input_shape\" {shapeNode.ToJsonString()} is refused: {WithoutParameterSuffix(e)}");
            }
            if (className == "Functional")
            {
                long total = 0;
                return FunctionalConfig.FromConfig(config, at, inputShape, (layer, shape) =>
                {
                    var weights = layer.ExpectedWeightCount(shape);
                    total = checked(total + weights);
                    if (weightBudget is { } budget && total > ModelLimits.FileWeightBudget(budget))
                    {
                        throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                            $"layer \"{layer.Name}\" ({layer.TypeName}) on input {shape} needs {weights:N0} weights, which makes " +
                            $"{total:N0}, but the file's tensors hold only {budget:N0} values in all; the config does not match the " +
                            $"weights saved with it."));
                    }
                });
            }
            var model = new Sequential(inputShape, seed: 0, name: name);
            try
            {
                for (var i = 0; i < layers.Count; i++)
                {
                    var where = $"layer {i + 1} of {layers.Count} in \"layers\"";
                    var layer = LayerConfig.FromConfig(layers[i] as JsonObject
                        ?? throw new InvalidDataException($"{where} is {JsonFields.Describe(layers[i])}; " +
                            $"expected an object {{\"class_name\": ..., \"config\": {{...}}}}."), where);
                    try
                    {
                        var weights = layer.ExpectedWeightCount(model.OutputShape!);
                        if (weightBudget is { } budget && model.ParamCount + weights > ModelLimits.FileWeightBudget(budget))
                        {
                            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                                $"{where} ({layer.TypeName}) on input {model.OutputShape} needs {weights:N0} weights, " +
                                $"which makes {model.ParamCount + weights:N0}, " +
                                $"but the file's tensors hold only {budget:N0} values in all; the config does not match the weights " +
                                $"saved with it."));
                        }
                        model.Add(layer);
                    }
                    catch (Exception e) when (e is ArgumentException or InvalidOperationException or OverflowException)
                    {
                        layer.Dispose();
                        throw new InvalidDataException(e is OverflowException
                            ? $"{where} ({layer.TypeName}) on input {model.OutputShape} needs more weights than a 64-bit count holds; " +
                                $"the config is damaged."
                            : $"{where} ({layer.TypeName}) cannot follow {model.OutputShape}: {WithoutParameterSuffix(e)}");
                    }
                }
            }
            catch
            {
                model.Dispose();
                throw;
            }
            return model;
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{source}: {e.Message}");
        }
    }

    /// <summary>A config's layer count within <see cref="ModelLimits.MaxLayers"/>, checked before any layer is built.</summary>
    internal static void RequireLayerCount(int count, string at)
    {
        if (count > ModelLimits.MaxLayers)
        {
            throw new InvalidDataException($"{at} lists {count:N0} layers; a model holds at most {ModelLimits.MaxLayers:N0}.");
        }
    }

    /// <summary>An argument error's message without .NET's " (Parameter 'x')" suffix.</summary>
    private static string WithoutParameterSuffix(Exception e) => e is ArgumentException { ParamName: { } name } a
        ? a.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal)
        : e.Message;

    /// <summary>Writes the model (architecture and weights) to <paramref name="path"/>, atomically.</summary>
    public static void Save(KerasModel model, string path)
    {
        var metadata = new Dictionary<string, string> { [FormatKey] = Format, [ConfigKey] = ToJson(model) };
        if (model.ClassNames is { } names)
        {
            metadata[ClassNamesKey] = new JsonArray(names.Select(n => (JsonNode?)n).ToArray()).ToJsonString();
        }
        if (model.TrainingDataset is { } dataset)
        {
            metadata[DatasetKey] = dataset;
        }
        if (model.InputStandardization is { } standardization)
        {
            metadata[StandardizationKey] = new JsonObject
            {
                ["mean"] = new JsonArray(standardization.Mean.Select(m => (JsonNode?)m).ToArray()),
                ["std"] = new JsonArray(standardization.Std.Select(m => (JsonNode?)m).ToArray()),
            }.ToJsonString();
        }
        SafeTensors.Save(path, model.state_dict(), metadata);
    }

    /// <summary>Rebuilds a model saved by <see cref="Save"/>; a missing, malformed or mismatched
    /// file is an <see cref="InvalidDataException"/> naming the file and the tensor.</summary>
    public static Sequential Load(string path) => AsSequential(LoadAny(path), path);

    /// <summary>Rebuilds a model, Sequential or functional, saved by <see cref="Save"/>.</summary>
    public static KerasModel LoadAny(string path)
    {
        var (tensors, metadata) = SafeTensors.Load(path);
        try
        {
            if (!metadata.TryGetValue(ConfigKey, out var json))
            {
                throw new InvalidDataException(
                    $"{path}: a safetensors file without a CnnLab model config (metadata \"{ConfigKey}\"); " +
                    $"weights alone cannot be loaded as a model. Save it with model.Save(path).");
            }
            var model = FromJson(json, path, weightBudget: tensors.Values.Sum(t => t.numel()));
            try
            {
                LoadWeights(model, tensors, path);
                ReadDataInfo(model, metadata, path);
            }
            catch
            {
                model.Dispose();
                throw;
            }
            return model;
        }
        finally
        {
            foreach (var tensor in tensors.Values)
            {
                tensor.Dispose();
            }
        }
    }

    /// <summary>The class names, training dataset and input standardisation
    /// saved beside the weights, checked against the model's shapes.</summary>
    private static void ReadDataInfo(KerasModel model, IReadOnlyDictionary<string, string> metadata, string path)
    {
        model.TrainingDataset = metadata.GetValueOrDefault(DatasetKey);
        if (metadata.TryGetValue(ClassNamesKey, out var namesJson))
        {
            const string what = $"the metadata \"{ClassNamesKey}\"";
            var parsed = JsonText.Parse(namesJson, path, what);
            var names = (parsed as JsonArray)?.Select(JsonFields.TextOf).ToList();
            if (names is null || names.Any(n => n is null))
            {
                throw new InvalidDataException($"{path}: {what} is {JsonFields.Describe(parsed)}; expected a list of class names (text).");
            }
            if (names.Count != model.OutputShape!.Channels)
            {
                throw new InvalidDataException($"{path}: {names.Count} class names saved for a model with " +
                    $"{model.OutputShape.Channels} outputs.");
            }
            model.ClassNames = names!;
        }
        if (metadata.TryGetValue(StandardizationKey, out var standardizationJson))
        {
            const string what = $"the metadata \"{StandardizationKey}\"";
            var at = $"{path}: {what}";
            var parsed = JsonText.Parse(standardizationJson, path, what);
            var node = parsed as JsonObject
                ?? throw new InvalidDataException($"{at} is {JsonFields.Describe(parsed)}; expected an object {{\"mean\": [...], " +
                    $"\"std\": [...]}}.");
            var channels = model.InputShape!.Channels;
            List<float> Floats(string key)
            {
                var expected = $"a list of {channels} number(s), one per input channel";
                var values = JsonFields.Array(node, key, at, expected).Select(JsonFields.NumberOf).ToList();
                return values.Count == channels && values.All(v => v is { } d && Math.Abs(d) <= float.MaxValue)
                    ? values.Select(v => (float)v!.Value).ToList()
                    : throw JsonFields.Wrong(at, key, node, expected);
            }
            var (mean, std) = (Floats("mean"), Floats("std"));
            if (std.Any(v => !(v > 0)))
            {
                throw JsonFields.Wrong(at, "std", node, "positive numbers");
            }
            model.InputStandardization = Data.Standardization.From(mean, std);
        }
    }

    /// <summary>Copies the tensors into the model's weights; every weight must
    /// be present with its shape, and no tensor may be left over.</summary>
    public static void LoadWeights(KerasModel model, IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        var expected = model.state_dict();
        foreach (var (name, target) in expected)
        {
            if (!tensors.TryGetValue(name, out var value))
            {
                throw new InvalidDataException($"{source}: tensor \"{name}\" is missing (shape " +
                    $"({string.Join(", ", target.shape)}) expected).");
            }
            if (!value.shape.SequenceEqual(target.shape) || value.dtype != target.dtype)
            {
                throw new InvalidDataException(
                    $"{source}: tensor \"{name}\" has shape ({string.Join(", ", value.shape)}) {value.dtype}, " +
                    $"the model needs ({string.Join(", ", target.shape)}) {target.dtype}.");
            }
        }
        var extra = tensors.Keys.Except(expected.Keys).ToList();
        if (extra.Count > 0)
        {
            throw new InvalidDataException($"{source}: tensor \"{extra[0]}\" does not belong to the model (its weights are " +
                $"{string.Join(", ", expected.Keys)}).");
        }
        using var _ = no_grad();
        foreach (var (name, target) in expected)
        {
            target.copy_(tensors[name]);
        }
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using CnnLab.Layers;
using CnnLab.Models;
using static TorchSharp.torch;

namespace CnnLab.Saving;

/// <summary>
/// A saved model in one safetensors file: the weights (with BatchNormalization's moving statistics) under their
/// state-dict names, and the architecture as Keras-style JSON (<see cref="Sequential.ToJson"/>) in the file's
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
    public static Sequential FromJson(string json, string source = "the model config")
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json)?.AsObject() ?? throw new InvalidDataException($"{source}: empty model config.");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new InvalidDataException($"{source}: the model config is not JSON: {e.Message}");
        }
        if (root["class_name"]?.GetValue<string>() != "Sequential" || root["config"] is not JsonObject config)
        {
            throw new InvalidDataException($"{source}: expected a Sequential model config ({{\"class_name\": \"Sequential\", \"config\": ...}}).");
        }
        var shape = config["input_shape"]?.AsArray().Select(d => d!.GetValue<int>()).ToArray()
            ?? throw new InvalidDataException($"{source}: the model config has no input_shape.");
        var model = new Sequential(new Shape(shape), seed: 0, name: config["name"]?.GetValue<string>() ?? "sequential");
        try
        {
            foreach (var layer in config["layers"]?.AsArray() ?? new JsonArray())
            {
                model.Add(LayerConfig.FromConfig(layer!.AsObject()));
            }
        }
        catch (InvalidDataException e)
        {
            model.Dispose();
            throw new InvalidDataException($"{source}: {e.Message}");
        }
        return model;
    }

    /// <summary>Writes the model (architecture and weights) to <paramref name="path"/>, atomically.</summary>
    public static void Save(Sequential model, string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
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

    /// <summary>Rebuilds a model saved by <see cref="Save"/>; a missing, malformed or mismatched file is an <see cref="InvalidDataException"/> naming the file and the tensor.</summary>
    public static Sequential Load(string path)
    {
        var (tensors, metadata) = SafeTensors.Load(path);
        try
        {
            if (!metadata.TryGetValue(ConfigKey, out var json))
            {
                throw new InvalidDataException(
                    $"{path}: a safetensors file without a CnnLab model config (metadata \"{ConfigKey}\"); weights alone cannot be loaded as a model. Save it with model.Save(path).");
            }
            var model = FromJson(json, path);
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

    /// <summary>The class names, training dataset and input standardisation saved beside the weights, checked against the model's shapes.</summary>
    private static void ReadDataInfo(Sequential model, IReadOnlyDictionary<string, string> metadata, string path)
    {
        try
        {
            if (metadata.TryGetValue(ClassNamesKey, out var namesJson))
            {
                var names = JsonNode.Parse(namesJson)!.AsArray().Select(n => n!.GetValue<string>()).ToList();
                if (names.Count != model.OutputShape!.Channels)
                {
                    throw new InvalidDataException($"{path}: {names.Count} class names saved for a model with {model.OutputShape.Channels} outputs.");
                }
                model.ClassNames = names;
            }
            model.TrainingDataset = metadata.GetValueOrDefault(DatasetKey);
            if (metadata.TryGetValue(StandardizationKey, out var standardizationJson))
            {
                var node = JsonNode.Parse(standardizationJson)!.AsObject();
                var mean = node["mean"]!.AsArray().Select(n => n!.GetValue<float>()).ToList();
                var std = node["std"]!.AsArray().Select(n => n!.GetValue<float>()).ToList();
                if (mean.Count != model.InputShape!.Channels)
                {
                    throw new InvalidDataException($"{path}: a standardisation of {mean.Count} channel(s) saved for a model with {model.InputShape.Channels} input channel(s).");
                }
                model.InputStandardization = Data.Standardization.From(mean, std);
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or ArgumentException or FormatException)
        {
            throw new InvalidDataException($"{path}: the saved class names or input standardisation are malformed: {e.Message}");
        }
    }

    /// <summary>Copies the tensors into the model's weights; every weight must be present with its shape, and no tensor may be left over.</summary>
    public static void LoadWeights(Sequential model, IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        var expected = model.state_dict();
        foreach (var (name, target) in expected)
        {
            if (!tensors.TryGetValue(name, out var value))
            {
                throw new InvalidDataException($"{source}: tensor \"{name}\" is missing (shape ({string.Join(", ", target.shape)}) expected).");
            }
            if (!value.shape.SequenceEqual(target.shape) || value.dtype != target.dtype)
            {
                throw new InvalidDataException(
                    $"{source}: tensor \"{name}\" has shape ({string.Join(", ", value.shape)}) {value.dtype}, the model needs ({string.Join(", ", target.shape)}) {target.dtype}.");
            }
        }
        var extra = tensors.Keys.Except(expected.Keys).ToList();
        if (extra.Count > 0)
        {
            throw new InvalidDataException($"{source}: tensor \"{extra[0]}\" does not belong to the model (its weights are {string.Join(", ", expected.Keys)}).");
        }
        using var _ = no_grad();
        foreach (var (name, target) in expected)
        {
            target.copy_(tensors[name]);
        }
    }
}

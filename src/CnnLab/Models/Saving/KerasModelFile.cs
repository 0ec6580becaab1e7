using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using CnnLab.Core;
using CnnLab.Formats;
using CnnLab.Formats.Json;
using CnnLab.Layers;
using CnnLab.Models;
using PureHDF;
using static TorchSharp.torch;

namespace CnnLab.Models.Saving;

/// <summary>
/// Keras models as CnnLab models: <c>.h5</c> files of Keras 2 / tf.keras <c>model.save</c> (HDF5: the architecture in
/// the <c>model_config</c> attribute, weights under <c>model_weights/&lt;layer&gt;/&lt;layer&gt;/kernel:0</c>) and
/// <c>.keras</c> files of Keras 3 (a zip of <c>config.json</c> and <c>model.weights.h5</c>, weights under
/// <c>layers/&lt;layer&gt;/vars/&lt;i&gt;</c>), read with PureHDF (no native HDF5). Sequential models, and functional
/// ones that are a single chain, of the layers CnnLab has (<see cref="LayerRegistry"/>). Keras' channels-last weights
/// are converted: convolution kernels from HWIO to OIHW, Dense kernels transposed, and the first Dense after a Flatten
/// of an image has its rows reordered from Keras' height-width-channel order to CnnLab's channel-major Flatten.
/// </summary>
public static class KerasModelFile
{
    /// <summary>The largest Keras file read: 2 GiB.</summary>
    public const long MaxFileBytes = 2L << 30;

    /// <summary>Whether <paramref name="path"/> names a Keras file by its extension (.h5, .hdf5, .keras).</summary>
    public static bool IsKerasFile(string path) => Path.GetExtension(path).ToLowerInvariant() is ".h5" or ".hdf5" or ".keras";

    /// <summary>Reads the Keras model in <paramref name="path"/> with its weights, when it is a chain of layers.</summary>
    public static Sequential Load(string path) => ModelFile.AsSequential(LoadAny(path), path);

    /// <summary>Reads the Keras model in <paramref name="path"/> with its weights: a <see cref="Sequential"/> for a chain of
    /// layers (Keras' Sequential, or a functional model that is one), else a functional <see cref="Model"/>.</summary>
    public static KerasModel LoadAny(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        // A FIFO would block the read until someone writes to it, a device never ends: refused by kind first.
        FileKinds.RequireRegularFile(path, "a Keras file (.h5, .hdf5 or .keras)");
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"{path} does not exist.");
        }
        if (info.Length > MaxFileBytes)
        {
            throw new InvalidDataException($"{path} is {info.Length:N0} bytes; Keras files over {MaxFileBytes:N0} bytes are refused.");
        }
        try
        {
            return Path.GetExtension(path).Equals(".keras", StringComparison.OrdinalIgnoreCase) ? LoadKeras3(path) : LoadH5(path);
        }
        // The zip reader also throws InvalidDataException, without the file's name: only CnnLab's own errors pass as they are.
        catch (Exception e) when (e is not FileNotFoundException and not OutOfMemoryException
                                  && !(e is InvalidDataException && e.Message.StartsWith(path, StringComparison.Ordinal)))
        {
            // PureHDF and the zip reader fail in their own words on damaged files; the user gets the file and the cause.
            throw new InvalidDataException($"{path}: not a readable Keras file ({e.GetType().Name}: {e.Message.Split('\n')[0].Trim()}).");
        }
    }

    /// <summary>The architecture of Keras' <c>model.to_json()</c> (Sequential
    /// or a single-chain functional model), with fresh weights.</summary>
    public static Sequential FromJson(string json, string source) => ModelFile.AsSequential(AnyFromJson(json, source), source);

    /// <summary>The architecture of Keras' <c>model.to_json()</c>, Sequential or functional, with fresh weights.</summary>
    public static KerasModel AnyFromJson(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Build(JsonText.Parse(json, source, "the Keras model JSON") as JsonObject
            ?? throw new InvalidDataException($"{source}: the model JSON is not an object."), source);
    }

    private static KerasModel LoadH5(string path)
    {
        using var stream = new StackCheckedStream(File.OpenRead(path));
        try
        {
            return LoadH5(path, stream);
        }
        catch (Exception) when (stream.Exhausted)
        {
            throw EndlessLinks(path);
        }
    }

    /// <summary>Keras never writes soft links; a file whose links never end (one naming itself, a cycle) is refused.</summary>
    private static InvalidDataException EndlessLinks(string path) => new($"{path}: the HDF5 file's links never end (a soft link " +
        $"that names itself or a cycle of soft links); Keras writes no soft links, so the file was made or edited by something else.");

    private static KerasModel LoadH5(string path, StackCheckedStream stream)
    {
        using var file = H5File.Open(stream, leaveOpen: true);
        if (!file.AttributeExists("model_config"))
        {
            throw new InvalidDataException($"{path}: the HDF5 file has no \"model_config\" attribute, so it holds no Keras model (a " +
                $"weights-only file from save_weights, or another HDF5 file).");
        }
        var config = JsonText.Parse(KerasHdf5.ReadText(file.Attribute("model_config")), path, "the Keras model config");
        var model = Build(config as JsonObject ?? throw new InvalidDataException($"{path}: model_config is not a JSON object."), path,
            new FileInfo(path).Length);
        var weights = file.Group("model_weights");
        return WithWeights(model, path, layer =>
        {
            if (!weights.LinkExists(layer.Name))
            {
                throw new InvalidDataException($"{path}: the weights of layer \"{layer.Name}\" are missing (no group " +
                    $"model_weights/{layer.Name}).");
            }
            var group = weights.Group(layer.Name);
            return KerasHdf5.ReadTexts(group.Attribute("weight_names")).ToDictionary(n => KerasHdf5.Role(n),
                n => KerasHdf5.Weight(group, n, path),
                StringComparer.Ordinal);
        });
    }

    private static KerasModel LoadKeras3(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        var configEntry = zip.GetEntry("config.json") ?? throw new InvalidDataException($"{path}: the .keras archive has no config.json.");
        var weightsEntry = zip.GetEntry("model.weights.h5")
            ?? throw new InvalidDataException($"{path}: the .keras archive has no model.weights.h5.");
        if (configEntry.Length > 64 << 20 || weightsEntry.Length > MaxFileBytes)
        {
            throw new InvalidDataException($"{path}: config.json ({configEntry.Length:N0} bytes) " +
                $"or model.weights.h5 ({weightsEntry.Length:N0} bytes) is larger than CnnLab reads.");
        }
        string configText;
        using (var reader = new StreamReader(configEntry.Open(), Encoding.UTF8))
        {
            configText = reader.ReadToEnd();
        }
        var model = Build(JsonText.Parse(configText, path, "config.json") as JsonObject
            ?? throw new InvalidDataException($"{path}: config.json is not a JSON object."), path, weightsEntry.Length);
        // The entry is read into memory (PureHDF needs to seek), so its size is bounded by the weights the model holds
        // first: float32 values plus HDF5's bookkeeping, not gigabytes of anything else.
        var weights = model.ParamCount;
        var allowed = 2 * 4 * weights + (4L << 20);
        if (weightsEntry.Length > allowed)
        {
            model.Dispose();
            throw new InvalidDataException($"{path}: model.weights.h5 is {weightsEntry.Length:N0} bytes unpacked, more than the model's " +
                $"{weights:N0} weights take ({allowed:N0} bytes at most); the file is damaged or does not belong to this config.");
        }
        using var weightsStream = new MemoryStream();
        using var checkedStream = new StackCheckedStream(weightsStream);
        PureHDF.VOL.Native.NativeFile file;
        try
        {
            using (var entry = weightsEntry.Open())
            {
                KerasHdf5.CopyAtMost(entry, weightsStream, weightsEntry.Length, path);
            }
            weightsStream.Position = 0;
            file = H5File.Open(checkedStream, leaveOpen: true);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        using var _ = file;
        try
        {
            return WithWeights(model, path, WeightsOf);
        }
        catch (Exception) when (checkedStream.Exhausted)
        {
            throw EndlessLinks(path);
        }

        Dictionary<string, KerasWeight> WeightsOf(Layer layer)
        {
            var vars = $"layers/{layer.Name}/vars";
            if (!file.LinkExists("layers") || !file.Group("layers").LinkExists(layer.Name))
            {
                throw new InvalidDataException($"{path}: the weights of layer \"{layer.Name}\" are missing (no group {vars} in " +
                    $"model.weights.h5).");
            }
            var group = file.Group("layers").Group(layer.Name).Group("vars");
            var count = group.Children().Count();
            var roles = layer.KerasWeightRoles;
            if (count != roles.Count)
            {
                throw new InvalidDataException($"{path}: layer \"{layer.Name}\" has {count} weight(s) in {vars}; " +
                    $"its config needs {roles.Count} ({string.Join(", ", roles)}).");
            }
            return roles.Select((role, i) => (role, i)).ToDictionary(x => x.role,
                x => KerasHdf5.Weight(group, x.i.ToString(CultureInfo.InvariantCulture), path), StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// Fills the model's weights from <paramref name="weightsOf"/> (a layer's Keras weights by role: kernel, bias, gamma,
    /// ...), converted to CnnLab's layout; every weight must be there. Disposes the model when anything fails.
    /// </summary>
    private static KerasModel WithWeights(KerasModel model, string path, Func<Layer, Dictionary<string, KerasWeight>> weightsOf)
    {
        try
        {
            var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            using var scope = NewDisposeScope();
            if (model is Model graph)
            {
                KerasGraph.RequireNoMergedFlattenedImages(graph, path);
            }
            var before = KerasGraph.Before(model);
            foreach (var layer in model.Layers.Where(l => l.parameters().Any() || l.buffers().Any()))
            {
                var weights = new KerasWeights(layer, weightsOf(layer), FlattenedImage(before, layer), tensors, path);
                layer.ImportKerasWeights(weights);
                weights.RequireAllRead();
            }
            ModelFile.LoadWeights(model, tensors, path);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    /// <summary>
    /// The model the config describes, with fresh weights. <paramref name="weightBytes"/>, for a file whose weights
    /// come with it, bounds the weights the config may imply: no more than twice the float32 values those bytes can hold
    /// (plus 2^20), the budget CnnLab's own model files get, checked layer by layer before any layer allocates.
    /// </summary>
    private static KerasModel Build(JsonObject root, string path, long? weightBytes = null)
    {
        var className = JsonFields.Text(root, "class_name", path, "\"Sequential\" or \"Functional\"");
        if (className is not ("Sequential" or "Functional" or "Model"))
        {
            throw new InvalidDataException($"{path}: a Keras {className} model; CnnLab imports Sequential and functional models.");
        }
        var config = JsonFields.Object(root, "config", path, "the model's config");
        var layers = JsonFields.Array(config, "layers", path, "the list of layers");
        ModelFile.RequireLayerCount(layers.Count, $"{path}: the model config");
        var name = JsonFields.OptionalText(config, "name", path) ?? "sequential";
        int[]? inputShape = null;
        var specs = new List<(string Class, JsonObject Config, string At)>();
        var inbound = new List<IReadOnlyList<string>>();
        string? inputName = null;
        for (var i = 0; i < layers.Count; i++)
        {
            var where = $"{path}: layer {i + 1} of {layers.Count}";
            var node = layers[i] as JsonObject ?? throw new InvalidDataException($"{where} is not an object.");
            var layerClass = JsonFields.Text(node, "class_name", where);
            var layerConfig = JsonFields.Object(node, "config", where, "the layer's settings");
            var layerName = JsonFields.OptionalText(layerConfig, "name", where);
            var from = className == "Sequential" ? null : KerasFunctional.Inbound(node, layerName ?? "", where);
            inputShape ??= ShapeOf(layerConfig, where) ?? ShapeOf(node["build_config"] as JsonObject, where);
            if (layerClass == "InputLayer")
            {
                if (inputName is not null && className != "Sequential")
                {
                    throw new InvalidDataException(
                        $"{where}: a second InputLayer (\"{layerName}\"); CnnLab imports models with one input.");
                }
                inputName = layerName;
                continue;
            }
            if (from is not null)
            {
                inbound.Add(from);
            }
            if (LayerRegistry.ClassName(layerClass) != layerClass)
            {
                throw new InvalidDataException($"{where} is a Keras {layerClass} (\"{layerName}\"), which CnnLab does not have. " +
                    $"CnnLab's layers: {string.Join(", ", LayerRegistry.ClassNames)}.");
            }
            specs.Add((layerClass, layerConfig, $"{where} ({layerClass} \"{layerName}\")"));
        }
        inputShape ??= ShapeOf(root["build_config"] as JsonObject, path)
            ?? throw new InvalidDataException($"{path}: the model config gives no input shape (no InputLayer, " +
                $"batch_input_shape or build_config).");
        if (className != "Sequential")
        {
            // Several inputs or outputs are refused whatever the layers look like.
            KerasFunctional.End(config, "input_layers", path);
            KerasFunctional.End(config, "output_layers", path);
        }
        if (className != "Sequential" && !KerasGraph.IsChain(specs.Select(s => JsonFields.OptionalText(s.Config, "name", s.At)).ToList(),
                inbound, inputName))
        {
            return KerasGraph.Build(path, name, new Shape(inputShape), inputName ?? "input_1",
                KerasFunctional.End(config, "output_layers", path),
                specs.Select((s, i) => ((Func<Layer>)(() => CreateLayer(s, i)), inbound[i], s.At)).ToList(), weightBytes);
        }
        var model = new Sequential(new Shape(inputShape), seed: 0, name: name);
        try
        {
            foreach (var (spec, i) in specs.Select((s, i) => (s, i)))
            {
                var layerClass = spec.Class;
                var layer = CreateLayer(spec, i);
                RequireWithinBudget(model, layer, weightBytes, path);
                try
                {
                    model.Add(layer);
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException)
                {
                    layer.Dispose();
                    throw new InvalidDataException($"{path}: layer \"{layer.Name}\" ({layerClass}) " +
                        $"cannot follow {model.OutputShape}: {e.Message}");
                }
            }
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;

        Layer CreateLayer((string Class, JsonObject Config, string At) spec, int i)
        {
            var layer = LayerRegistry.Create(spec.Class, spec.Config, $"{path}: layer {i + 1}", strict: false,
                l => l.KerasIgnoredKeys.ToHashSet());
            try
            {
                layer.CheckKerasConfig(spec.Config, spec.At);
            }
            catch
            {
                layer.Dispose();
                throw;
            }
            return layer;
        }
    }

    private static void RequireWithinBudget(Sequential model, Layer layer, long? weightBytes, string path)
    {
        if (weightBytes is not { } bytes)
        {
            return;
        }
        // A Keras file stores float32 weights: its bytes hold at most a quarter as many values.
        var budget = ModelLimits.FileWeightBudget(bytes / 4);
        long implied;
        try
        {
            implied = checked(model.ParamCount + layer.ExpectedWeightCount(model.OutputShape!));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or OverflowException)
        {
            // A layer that cannot follow, or whose count overflows, is refused by the model itself, in its own words.
            return;
        }
        if (implied > budget)
        {
            layer.Dispose();
            throw new InvalidDataException($"{path}: layer \"{layer.Name}\" ({layer.TypeName}) would bring the model to {implied:N0} " +
                $"weights, more than {bytes:N0} bytes of weights can hold ({budget:N0} at most); the file is damaged or its config " +
                "does not match its weights.");
        }
    }

    private static int[]? ShapeOf(JsonObject? config, string where)
    {
        var node = config?["batch_input_shape"] ?? config?["batch_shape"] ?? config?["input_shape"];
        if (node is not JsonArray { Count: >= 2 } array)
        {
            return null;
        }
        var dims = array.Skip(1).Select(JsonFields.IntOf).ToArray();
        return dims.All(d => d is > 0) ? dims.Select(d => d!.Value).ToArray()
            : throw new InvalidDataException($"{where}: the input shape {array.ToJsonString()} is not fixed; " +
                $"CnnLab needs every dimension but the batch.");
    }

    /// <summary>
    /// The image whose CnnLab Flatten produced <paramref name="layer"/>'s input features, when they still stand in that
    /// order: Keras' Flatten, Dropout, activations or BatchNormalization between the Flatten and the layer keep each feature
    /// where it is; a Dense or Reshape in between makes features of its own, and a merge of several inputs ends the walk.
    /// </summary>
    private static Shape? FlattenedImage(Func<Layer, Layer?> previous, Layer layer)
    {
        for (var before = previous(layer); before is not null; before = previous(before))
        {
            if (before is Flatten && before.InputShape is { Rank: 3 } image)
            {
                return image;
            }
            if (before is Dense or Reshape || before.InputShape is not { Rank: 1 })
            {
                return null;
            }
        }
        return null;
    }
}

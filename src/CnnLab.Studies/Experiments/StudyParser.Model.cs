using System.Globalization;
using System.Text.Json.Nodes;
using CnnLab.Core;
using CnnLab.Models;
using CnnLab.Optimizers;
using CnnLab.Studies.Experiments.Schema;
using CnnLab.Training;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CnnLab.Studies.Experiments;

/// <summary>The run's model: a notebook model, a VGG template, Keras' list of layers, or a model file.</summary>
public static partial class StudyParser
{
    private sealed partial class Reader
    {
        private ModelChoice Model(YamlNode node, string run)
        {
            if (node is YamlScalarNode)
            {
                var name = Text(node, "model");
                if (!NotebookModels.Names.Contains(name) && ModelFileExtensions.Contains(Path.GetExtension(name).ToLowerInvariant()))
                {
                    return new ModelChoice(null, null) { File = new ModelFileChoice(ModelFile(node, name), LoadWeights: false) };
                }
                return NotebookModels.Names.Contains(name)
                    ? new ModelChoice(name, null)
                    : throw Error(node, $"unknown model `{name}` in run \"{run}\". Allowed: {string.Join(", ", NotebookModels.Names)}, " +
                        $"or a mapping with {string.Join(", ", StudyKeys.Names("template"))}");
            }
            if (node is YamlMappingNode { Children: var resnetKeys } && resnetKeys.Keys.Any(k => k is YamlScalarNode { Value: "stages" }))
            {
                var resnetMap = Map(node, $"the model of run \"{run}\"", "resnet");
                var resnet = new ResNetTemplate
                {
                    Stages = Integer(resnetMap, "resnet", "stages"),
                    BlocksPerStage = Integer(resnetMap, "resnet", "blocks_per_stage"),
                    Width = Integer(resnetMap, "resnet", "width"),
                };
                try
                {
                    resnet.Validate();
                }
                catch (ArgumentException e)
                {
                    throw Error(node, $"the model of run \"{run}\": {e.Message}");
                }
                return new ModelChoice(null, null) { ResNet = resnet };
            }
            if (node is YamlMappingNode { Children: var children } && children.Keys.Any(k => k is YamlScalarNode { Value: "layers" }))
            {
                return new ModelChoice(null, null) { LayerList = LayerList(node, run) };
            }
            if (node is YamlMappingNode { Children: var fileChildren } && fileChildren.Keys.Any(k => k is YamlScalarNode { Value: "file" }))
            {
                var fileMap = Map(node, $"the model of run \"{run}\"", "model_file");
                var weights = fileMap.TryGetValue("weights", out var w) ? Text(w, "weights") : Default<string>("model_file", "weights");
                if (weights is not ("load" or "new"))
                {
                    throw Error(w!,
                        $"`weights` must be load (start from the file's weights) or new (fresh weights from the seed); received {weights}");
                }
                return new ModelChoice(null,
                    null) { File = new ModelFileChoice(ModelFile(fileMap["file"], Text(fileMap["file"], "file")), weights == "load") };
            }
            var map = Map(node, $"the model of run \"{run}\"", "template");
            var blocks = map.TryGetValue("blocks", out var b)
                ? Sequence(b, "blocks").Select(block =>
                    (IReadOnlyList<int>)Sequence(block, "blocks").Select(f => Integer(f, "filters", 1)).ToList()).ToList()
                : throw Error(node, $"the model of run \"{run}\" needs `blocks`, e.g. [[20, 20], [40, 40]]");
            var template = new VggTemplate
            {
                Blocks = blocks,
                KernelSizes = map.TryGetValue("kernel_size", out var k)
                    ? IntegerOrList(k, "kernel_size")
                    : new[] { Default<int>("template", "kernel_size") },
                PoolSize = Integer(map, "template", "pool_size"),
                Activation = Text(map, "template", "activation")!,
                BatchNorm = map.TryGetValue("batch_norm", out var bn) ? Placement(bn) : BatchNormPlacement.None,
                BatchNormScale = map.ContainsKey("batch_norm_scale") && !Boolean(map, "template", "batch_norm_scale") ? false : null,
                Dense = map.TryGetValue("dense", out var d) ? IntegerOrList(d, "dense") : Default<int[]>("template", "dense"),
                Dropout = Number(map, "template", "dropout"),
                SpatialDropout = Number(map, "template", "spatial_dropout"),
                GaussianNoise = Number(map, "template", "gaussian_noise"),
                KernelRegularizer = map.ContainsKey("l1") || map.ContainsKey("l2")
                    ? new Layers.Regularizer(Number(map, "template", "l1"), Number(map, "template", "l2"))
                    : null,
            };
            if (template.BatchNormScale is false && template.BatchNorm == BatchNormPlacement.None)
            {
                throw Error(map["batch_norm_scale"],
                    $"the model of run \"{run}\" sets `batch_norm_scale` without BatchNormalization; add `batch_norm: before` or `after`");
            }
            if (template.Activation != "leaky_relu" && !Layers.Activations.Names.Contains(template.Activation))
            {
                throw Error(map["activation"],
                    $"unknown activation `{template.Activation}`. Allowed: {string.Join(", ", Layers.Activations.Names)}");
            }
            return new ModelChoice(null, template);
        }

        /// <summary>A model file named in the study: relative to the study
        /// file's folder, then to the working folder; it must exist.</summary>
        private string ModelFile(YamlNode node, string written)
        {
            var folder = Path.GetDirectoryName(_source);
            var candidates = Path.IsPathRooted(written) ? new[] { written }
                : new[] { Path.Combine(string.IsNullOrEmpty(folder) ? "." : folder, written), written };
            var found = candidates.FirstOrDefault(File.Exists);
            return found is not null ? Path.GetFullPath(found)
                : throw Error(node, $"the model file `{written}` does not exist (looked in " +
                    $"{string.Join(" and ", candidates.Select(c => Path.GetFullPath(c)).Distinct())})");
        }

        /// <summary>
        /// Keras' list of layers: each entry one key, a layer's snake_case (or class) name, holding its config with
        /// Keras' keys. Every layer is created once here, so an unknown layer or key stops the file at its line.
        /// </summary>
        private LayerListModel LayerList(YamlNode node, string run)
        {
            var map = Map(node, $"the model of run \"{run}\"", "layer_list");
            var inputShape = map.TryGetValue("input_shape", out var shapeNode)
                ? Sequence(shapeNode, "input_shape").Select(d => Integer(d, "input_shape", 1)).ToList() : null;
            var entries = Sequence(map["layers"], "layers");
            if (entries.Count == 0 || entries.Count > ModelLimits.MaxLayers)
            {
                throw Error(map["layers"], $"`layers` of run \"{run}\" must list 1 to 10,000 layers; it has {entries.Count}");
            }
            var specs = new List<LayerSpec>();
            foreach (var (entry, i) in entries.Select((e, i) => (e, i)))
            {
                if (entry is not YamlMappingNode { Children.Count: 1 } one
                    || one.Children.Keys.Single() is not YamlScalarNode { Value: { Length: > 0 } written })
                {
                    throw Error(entry, $"layer {i + 1} of run \"{run}\" must be one layer name with its settings, e.g. `- conv2d: " +
                        $"{{filters: 32, kernel_size: 3}}`");
                }
                var className = Layers.LayerRegistry.ClassName(written)
                    ?? throw Error(entry, $"unknown layer `{written}` (layer {i + 1} of run \"{run}\"). Allowed: " +
                        $"{string.Join(", ", Layers.LayerRegistry.SnakeCaseNames)}");
                var value = one.Children.Values.Single();
                var config = value is YamlScalarNode { Value: null or "" or "~" or "null" } ? new JsonObject()
                    : value is YamlMappingNode ? (JsonObject)ToJson(value, 0)!
                    : throw Error(value,
                        $"the settings of layer {i + 1} (`{written}`) must be a mapping such as {{units: 10}}, or {{}} for none");
                var inputs = GraphInputs(config, entry, i, run);
                var spec = new LayerSpec(className, config)
                {
                    Where = $"{_source}, line {entry.Start.Line}: layer {i + 1} of run \"{run}\"", Inputs = inputs,
                };
                try
                {
                    Layers.LayerRegistry.Create(spec.ClassName, (JsonObject)config.DeepClone(), spec.Where, strict: true).Dispose();
                }
                catch (InvalidDataException e)
                {
                    throw new StudyFileException(e.Message);
                }
                specs.Add(spec);
            }
            var list = new LayerListModel(inputShape, specs);
            if (specs.Any(s => s.Inputs is not null) && list.UnknownInput() is { } unknown)
            {
                throw new StudyFileException(unknown + ".");
            }
            return list;
        }

        /// <summary>
        /// A graph entry's <c>inputs</c> (taken out of the layer's settings): 1 to <see cref="Layers.Merge.MaxInputs"/> names of
        /// layers listed in the run, or <c>input</c>; null when the entry names none (it takes the layer before it).
        /// </summary>
        private IReadOnlyList<string>? GraphInputs(JsonObject config, YamlNode entry, int index, string run)
        {
            if (!config.Remove("inputs", out var node))
            {
                return null;
            }
            var names = (node as JsonArray)?.Select(n => n is JsonValue v && v.TryGetValue<string>(out var text) ? text : null).ToList();
            if (names is null || names.Count is 0 or > Layers.Merge.MaxInputs || names.Any(n => n is null))
            {
                throw Error(entry, $"`inputs` of layer {index + 1} of run \"{run}\" must be a list of 1 to 1,000 layer names (or " +
                    $"`{LayerListModel.InputName}` for the model's input), e.g. inputs: [conv2d, {LayerListModel.InputName}]");
            }
            return names!;
        }

        private JsonNode? ToJson(YamlNode node, int depth) => YamlJson.ToJson(node, depth, (n, message) => Error(n, message));

        private IReadOnlyList<int> IntegerOrList(YamlNode node, string what) =>
            node is YamlSequenceNode ? Sequence(node, what).Select(x => Integer(x, what, 1)).ToList() : new[] { Integer(node, what, 1) };

        private BatchNormPlacement Placement(YamlNode node) => Choice(node, StudyKeys.Get("template", "batch_norm")) switch
        {
            "before" => BatchNormPlacement.Before,
            "after" => BatchNormPlacement.After,
            _ => BatchNormPlacement.None,
        };
    }
}

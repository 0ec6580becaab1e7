using System.Text.Json.Nodes;
using CnnLab.Formats.Json;
using static TorchSharp.torch;

namespace CnnLab.Layers;

/// <summary>The Keras side of a layer: which keys of Keras' config it ignores or checks, and how its weights convert.</summary>
public abstract partial class Layer
{
    /// <summary>
    /// Keys any Keras layer config may hold that change nothing CnnLab computes at inference (or hold defaults
    /// <see cref="CheckKerasConfig"/> checks). A layer adds its own in its file.
    /// </summary>
    private static readonly string[] CommonKerasKeys =
    {
        "trainable", "dtype", "batch_input_shape", "batch_shape", "input_shape", "autocast", "data_format", "activity_regularizer",
        "seed", "kernel_initializer", "bias_initializer", "kernel_constraint", "bias_constraint", "bias_regularizer", "dilation_rate",
        "groups",
        "lora_rank", "lora_alpha", "quantization_config",
    };

    /// <summary>The Keras config keys this layer skips on import: the common ones plus the layer's own.</summary>
    internal virtual IEnumerable<string> KerasIgnoredKeys => CommonKerasKeys;

    /// <summary>
    /// Settings of a Keras config that CnnLab has no equivalent for must hold Keras' defaults (anything else would
    /// compute something else); an override checks the layer's own after calling this one.
    /// </summary>
    internal virtual void CheckKerasConfig(JsonObject config, string at)
    {
        static bool Ones(JsonNode? n) => n is JsonArray a && a.All(v => JsonFields.IntOf(v) == 1) || JsonFields.IntOf(n) == 1;
        RequireKerasDefault(config, at, "data_format", n => JsonFields.TextOf(n) is null or "channels_last", "\"channels_last\"");
        RequireKerasDefault(config, at, "dilation_rate", Ones, "a dilation rate of 1");
        RequireKerasDefault(config, at, "groups", n => JsonFields.IntOf(n) == 1, "groups 1");
        RequireKerasDefault(config, at, "activity_regularizer", n => n is null, "no activity regularizer");
    }

    /// <summary>The roles of the layer's weights in the order Keras 3 stores them (layers/&lt;name&gt;/vars/0, 1, ...).</summary>
    internal virtual IReadOnlyList<string> KerasWeightRoles => Array.Empty<string>();

    /// <summary>Converts the layer's Keras weights to CnnLab's layouts and names; layers without weights have none.</summary>
    internal virtual void ImportKerasWeights(KerasWeights weights)
    {
    }

    /// <summary>True when the layer ends in a softmax, so a loss can start from <see cref="ForwardLogits"/>.</summary>
    internal virtual bool EndsWithSoftmax => false;

    /// <summary>The scores before the layer's softmax; only when <see cref="EndsWithSoftmax"/>.</summary>
    internal virtual Tensor ForwardLogits(Tensor input) =>
        throw new InvalidOperationException($"Layer \"{Name}\" ({TypeName}) does not end in a softmax.");

    /// <summary>A Keras setting that must hold its default: <paramref name="expected"/> says which, in the error.</summary>
    protected static void RequireKerasDefault(JsonObject config, string at, string key, Func<JsonNode?, bool> isDefault, string expected)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(isDefault);
        if (config.ContainsKey(key) && !isDefault(config[key]))
        {
            throw new InvalidDataException($"{at}: \"{key}\" is {JsonFields.Describe(config[key])}; CnnLab computes only {expected}.");
        }
    }
}

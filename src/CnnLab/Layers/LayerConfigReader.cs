using System.Text.Json.Nodes;
using CnnLab.Core;
using CnnLab.Formats.Json;

namespace CnnLab.Layers;

/// <summary>
/// One layer's Keras config as its <c>FromConfig</c> reads it: each setting by its Keras key, Keras' default where the
/// key is absent, and an <see cref="InvalidDataException"/> naming the layer, the key, the value found and what is
/// allowed where the key holds something else. Keys nobody read are an error when <see cref="Strict"/> (a study file:
/// a misspelt key must not be silently ignored) and otherwise must be among those a caller declared harmless.
/// </summary>
public sealed class LayerConfigReader
{
    private readonly JsonObject _config;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal) { "name" };

    /// <summary>Reads <paramref name="config"/>; <paramref name="at"/> starts every error ("layer 2 of 5 (Conv2D \"conv2d\")").</summary>
    public LayerConfigReader(JsonObject config, string at, bool strict)
    {
        _config = config ?? throw new ArgumentNullException(nameof(config));
        At = at;
        Strict = strict;
        Name = JsonFields.OptionalText(config, "name", at);
    }

    /// <summary>Where the config comes from, as errors name it.</summary>
    public string At { get; }

    /// <summary>Whether keys nobody read are an error.</summary>
    public bool Strict { get; }

    /// <summary>The layer's name, or null for Keras' automatic one.</summary>
    public string? Name { get; }

    /// <summary>The keys the config holds that no setting read.</summary>
    public IEnumerable<string> Unread => _config.Select(kv => kv.Key).Where(k => !_read.Contains(k));

    /// <summary>Whether the config holds <paramref name="key"/> (reading nothing).</summary>
    public bool Has(string key) => _config.ContainsKey(key);

    /// <summary>The raw value of <paramref name="key"/> (null when absent), for settings of several forms.</summary>
    public JsonNode? Json(string key) => _config[Mark(key)];

    /// <summary>A whole number; required when <paramref name="fallback"/> is null.</summary>
    public int Int(string key, int? fallback = null)
    {
        Mark(key);
        return Absent(key) && fallback is int f ? f : JsonFields.Int(_config, key, At);
    }

    /// <summary>A number; required when <paramref name="fallback"/> is null.</summary>
    public double Number(string key, double? fallback = null)
    {
        Mark(key);
        return Absent(key) && fallback is double f ? f : JsonFields.Number(_config, key, At);
    }

    /// <summary>A number or null (absent: null).</summary>
    public double? OptionalNumber(string key) => JsonFields.OptionalNumber(_config, Mark(key), At);

    /// <summary>true or false.</summary>
    public bool Bool(string key, bool fallback)
    {
        Mark(key);
        if (Absent(key))
        {
            return fallback;
        }
        // Keras reads a config's booleans as Python does, and files written by Keras 2.14 hold "scale": 1: a Keras file
        // (not strict) may give 0 or 1; CnnLab's own files and study files write true and false.
        if (!Strict && JsonFields.IntOf(_config[key]) is 0 or 1)
        {
            return JsonFields.IntOf(_config[key]) == 1;
        }
        return JsonFields.Bool(_config, key, At);
    }

    /// <summary>Text; required when <paramref name="fallback"/> is null.</summary>
    public string Text(string key, string? fallback = null, string expected = "text")
    {
        Mark(key);
        return Absent(key) && fallback is not null ? fallback : JsonFields.Text(_config, key, At, expected);
    }

    /// <summary>Text or null (absent: null).</summary>
    public string? OptionalText(string key, string expected = "text or null") => JsonFields.OptionalText(_config, Mark(key), At, expected);

    /// <summary>A size as Keras takes it: one whole number for both sides or
    /// [height, width]; required when <paramref name="fallback"/> is null.</summary>
    public Size2 Pair(string key, Size2? fallback = null) => OptionalPair(key) ?? fallback
        ?? throw JsonFields.Wrong(At, key, _config, "a whole number or a pair of whole numbers [height, width]");

    /// <summary>A size, or null where the key is absent or null (strides that default to the pool size).</summary>
    public Size2? OptionalPair(string key)
    {
        var node = _config[Mark(key)];
        if (node is null)
        {
            return null;
        }
        if (JsonFields.IntOf(node) is int both)
        {
            return new Size2(both, both);
        }
        return node is JsonArray { Count: 2 } array && JsonFields.IntOf(array[0]) is int height && JsonFields.IntOf(array[1]) is int width
            ? new Size2(height, width)
            : throw JsonFields.Wrong(At, key, _config, "a whole number or a pair of whole numbers [height, width]");
    }

    /// <summary>A range as Keras' random layers take it: a number f for (-f, f), or [lower, upper].</summary>
    public (double Lower, double Upper) Range(string key, (double, double)? fallback = null)
    {
        var node = _config[Mark(key)];
        if (node is null && fallback is { } f)
        {
            return f;
        }
        if (JsonFields.NumberOf(node) is double symmetric)
        {
            return (-symmetric, symmetric);
        }
        return node is JsonArray { Count: 2 } array && JsonFields.NumberOf(array[0]) is double lower
            && JsonFields.NumberOf(array[1]) is double upper
            ? (lower, upper)
            : throw JsonFields.Wrong(At, key, _config, "a number f for (-f, f) or a pair of numbers [lower, upper]");
    }

    /// <summary>"valid" or "same" (absent: valid).</summary>
    public Padding Padding() => PaddingRules.Parse(Text("padding", "valid", "\"valid\" or \"same\""));

    /// <summary>A kernel regularizer: null, or {"l1": number, "l2": number} (Keras' L1L2 config, also nested under "config").</summary>
    public Regularizer? Regularizer(string key = "kernel_regularizer")
    {
        const string expected = "null or an object {\"l1\": number, \"l2\": number}";
        var node = _config[Mark(key)];
        if (node is null)
        {
            return null;
        }
        // Keras writes {"class_name": "L1L2", "config": {"l1": ..., "l2": ...}}; CnnLab {"l1": ..., "l2": ...}.
        var values = node is JsonObject { } outer && outer["config"] is JsonObject keras ? keras
            : node as JsonObject ?? throw JsonFields.Wrong(At, key, _config, expected);
        return new Regularizer(JsonFields.OptionalNumber(values, "l1", $"{At}: \"{key}\"") ?? 0,
            JsonFields.OptionalNumber(values, "l2", $"{At}: \"{key}\"") ?? 0);
    }

    /// <summary>
    /// Ends the reading: a key no setting read is an error naming it and the keys allowed, unless it is among
    /// <paramref name="harmless"/> (when not <see cref="Strict"/>).
    /// </summary>
    public void CheckUnread(IReadOnlyCollection<string>? harmless = null)
    {
        var unknown = Unread.FirstOrDefault(k => Strict || harmless is null || !harmless.Contains(k));
        if (unknown is not null)
        {
            var allowed = string.Join(", ", _read.Order(StringComparer.Ordinal));
            throw new InvalidDataException($"{At}: unknown key \"{unknown}\"; allowed: {allowed}.");
        }
    }

    private bool Absent(string key) => !_config.ContainsKey(key);

    private string Mark(string key)
    {
        _read.Add(key);
        return key;
    }
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CnnLab.Formats.Json;

/// <summary>
/// Typed reads of a JSON object's keys for the readers of saved files. A key that is missing or holds the wrong
/// kind of value is an <see cref="InvalidDataException"/> saying where (<c>at</c>, such as "layer 2 of 5 (Conv2D
/// \"conv2d\")"), the key, what it holds and what is allowed, instead of System.Text.Json's "The node must be of type
/// 'JsonArray'". The caller puts the file name in front.
/// </summary>
internal static class JsonFields
{
    public static JsonNode Required(JsonObject parent, string key, string at, string expected) =>
        parent[key] ?? throw Wrong(at, key, parent, expected);

    public static JsonObject Object(JsonObject parent, string key, string at, string expected) =>
        parent[key] as JsonObject ?? throw Wrong(at, key, parent, expected);

    public static JsonArray Array(JsonObject parent, string key, string at, string expected) =>
        parent[key] as JsonArray ?? throw Wrong(at, key, parent, expected);

    public static int Int(JsonObject parent, string key, string at, string expected = "a whole number") =>
        IntOf(parent[key]) ?? throw Wrong(at, key, parent, expected);

    public static long Long(JsonObject parent, string key, string at, string expected = "a whole number") =>
        parent[key] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var n) ? n
            : throw Wrong(at, key, parent, expected);

    public static double Number(JsonObject parent, string key, string at, string expected = "a number") =>
        NumberOf(parent[key]) ?? throw Wrong(at, key, parent, expected);

    public static bool Bool(JsonObject parent, string key, string at) =>
        parent[key] is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? v.GetValue<bool>()
            : throw Wrong(at, key, parent, "true or false");

    public static string Text(JsonObject parent, string key, string at, string expected = "text") =>
        TextOf(parent[key]) ?? throw Wrong(at, key, parent, expected);

    /// <summary>The text, or null when the key is absent or null; any other kind of value is an error.</summary>
    public static string? OptionalText(JsonObject parent, string key, string at, string expected = "text or null") =>
        parent[key] is null ? null : TextOf(parent[key]) ?? throw Wrong(at, key, parent, expected);

    /// <summary>The number, or null when the key is absent or null; any other kind of value is an error.</summary>
    public static double? OptionalNumber(JsonObject parent, string key, string at, string expected = "a number or null") =>
        parent[key] is null ? null : NumberOf(parent[key]) ?? throw Wrong(at, key, parent, expected);

    /// <summary>A whole number that fits an int, or null for anything else.</summary>
    public static int? IntOf(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var n) ? n : null;

    /// <summary>A finite number, or null for anything else.</summary>
    public static double? NumberOf(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d) && double.IsFinite(d) ? d
            : null;

    /// <summary>Text, or null for anything else.</summary>
    public static string? TextOf(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>The error for <paramref name="key"/> of <paramref name="parent"/> not holding what it should.</summary>
    public static InvalidDataException Wrong(string at, string key, JsonObject parent, string expected) =>
        new($"{at}: \"{key}\" {(parent.ContainsKey(key) ? "is " + Describe(parent[key]) : "is missing")}; expected {expected}.");

    /// <summary>A value as an error message shows it: short values as written, long ones by their kind.</summary>
    public static string Describe(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return "null";
            case JsonObject:
                return "an object";
            case JsonArray array:
                var text = array.ToJsonString();
                return text.Length <= 40 ? text : string.Create(CultureInfo.InvariantCulture, $"a list of {array.Count} values");
            default:
                var value = node.ToJsonString();
                return value.Length <= 40 ? value : value[..37] + "...";
        }
    }
}

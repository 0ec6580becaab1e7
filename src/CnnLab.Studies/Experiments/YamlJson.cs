using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace CnnLab.Studies.Experiments;

/// <summary>YAML values as JSON, for layer settings and search spaces: one reading of YAML's scalars for both.</summary>
internal static class YamlJson
{
    /// <summary>A YAML value as JSON: plain scalars typed as YAML 1.2 reads them (numbers, true/false, null), quoted ones as
    /// text. <paramref name="error"/> makes the exception for a node and a message.</summary>
    public static JsonNode? ToJson(YamlNode node, int depth, Func<YamlNode, string, Exception> error)
    {
        if (depth > 16)
        {
            throw error(node, "a value nests deeper than 16 levels");
        }
        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (key, value) in mapping.Children)
                {
                    var name = key is YamlScalarNode { Value: { Length: > 0 } k } ? k
                        : throw error(key, "a key must be plain text");
                    if (obj.ContainsKey(name))
                    {
                        throw error(key, $"the key `{name}` appears twice");
                    }
                    obj[name] = ToJson(value, depth + 1, error);
                }
                return obj;
            case YamlSequenceNode sequence:
                return new JsonArray(sequence.Children.Select(c => ToJson(c, depth + 1, error)).ToArray());
            case YamlScalarNode scalar when scalar.Style is YamlDotNet.Core.ScalarStyle.Plain:
                var text = scalar.Value ?? "";
                if (text is "" or "~" or "null" or "Null" or "NULL")
                {
                    return null;
                }
                if (text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
                {
                    return JsonValue.Create(text.Equals("true", StringComparison.OrdinalIgnoreCase));
                }
                // Numbers go through JSON's own parser, so they read back as a saved model's numbers do.
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
                {
                    return JsonNode.Parse(whole.ToString(CultureInfo.InvariantCulture));
                }
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
                {
                    return JsonNode.Parse(number.ToString("R", CultureInfo.InvariantCulture));
                }
                return JsonValue.Create(text);
            case YamlScalarNode quoted:
                return JsonValue.Create(quoted.Value ?? "");
            default:
                throw error(node, "expected a value, a list or a mapping");
        }
    }
}

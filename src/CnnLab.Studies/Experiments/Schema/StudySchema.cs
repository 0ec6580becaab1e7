using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CnnLab.Studies.Experiments.Schema;

/// <summary>
/// What is written from <see cref="StudyKeys"/>: the JSON Schema editors check study files with
/// (schemas/study.schema.json) and the key reference (docs/study-keys.md). Both are committed; a test fails when
/// either is out of date, and <c>cnnlab study schema --out .</c> rewrites them.
/// </summary>
public static class StudySchema
{
    /// <summary>
    /// The version of study.json in a results folder. 1: no version written (before the schema); 2: the version
    /// written, and keys kept in <see cref="RunDefinition.Settings"/>; 3: searches; 4: momentum, nesterov, use_ema,
    /// ema_momentum, the template's batch_norm_scale and the resnet template.
    /// </summary>
    public const int Version = 4;

    /// <summary>The JSON Schema's path in the repository.</summary>
    public const string SchemaPath = "schemas/study.schema.json";

    /// <summary>The key reference's path in the repository.</summary>
    public const string ReferencePath = "docs/study-keys.md";

    // Relaxed escaping keeps the apostrophes of the descriptions readable in the committed file.
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// The JSON Schema of a study file read as JSON, as text ending in a newline: draft-07, the draft editors'
    /// YAML and JSON support checks most completely (yaml-language-server, VS Code).
    /// </summary>
    public static string JsonSchema()
    {
        var definitions = new JsonObject();
        foreach (var section in StudyKeys.Sections.Where(s => s.Name != "study"))
        {
            definitions[section.Name] = SectionSchema(section);
        }
        var root = SectionSchema(StudyKeys.Section("study"));
        var schema = new JsonObject
        {
            ["$schema"] = "http://json-schema.org/draft-07/schema#",
            ["title"] = "CnnLab study file",
        };
        foreach (var (key, value) in root)
        {
            schema[key] = value?.DeepClone();
        }
        schema["definitions"] = definitions;
        return schema.ToJsonString(Indented).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";
    }

    /// <summary>The key reference (Markdown), as text ending in a newline.</summary>
    public static string KeyReference()
    {
        var md = new StringBuilder();
        md.Append("# Study file keys\n\n")
          .Append("Written from `src/CnnLab.Studies/Experiments/Schema/StudyKeys.cs` by `cnnlab study schema --out .`; ")
          .Append("do not edit by hand. Editors check study files against `schemas/study.schema.json` ")
          .Append("when the file's first line is\n")
          .Append("`# yaml-language-server: $schema=../schemas/study.schema.json` (VS Code with the YAML extension, and other editors ")
          .Append("using yaml-language-server).\n\n")
          .Append(CultureInfo.InvariantCulture, $"Results folders record study schema version {Version} in study.json; ")
          .Append("`--resume` accepts a folder ")
          .Append("of an older version when the only differences are keys added since, left at their defaults.\n");
        foreach (var section in StudyKeys.Sections)
        {
            md.Append(CultureInfo.InvariantCulture, $"\n## {section.Name}\n\n{section.Description}\n\n")
              .Append("| key | type | default | allowed | description |\n| --- | --- | --- | --- | --- |\n");
            foreach (var key in StudyKeys.Of(section.Name))
            {
                var since = key.Since > 1 ? $" (since version {key.Since})" : "";
                var name = $"`{key.Name}`{(key.Required ? " (required)" : "")}";
                md.Append(CultureInfo.InvariantCulture,
                    $"| {name} | {TypeText(key)} | {DefaultOf(key)} | {AllowedText(key)} | {key.Description}{since} |\n");
            }
        }
        return md.ToString();
    }

    /// <summary>The default as the key reference shows it.</summary>
    public static string DefaultOf(StudyKey key) => key.DefaultText ?? key.Default switch
    {
        null => "",
        string text => text,
        bool flag => flag ? "true" : "false",
        int[] list => "[" + string.Join(", ", list) + "]",
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        var other => other.ToString() ?? "",
    };

    private static string TypeText(StudyKey key) => key.Type switch
    {
        StudyKeyType.Mapping => $"[{key.Of}](#{key.Of})",
        StudyKeyType.MappingList => $"list of [{key.Of}](#{key.Of})",
        StudyKeyType.TextOrMapping => $"text or [{key.Of}](#{key.Of})",
        StudyKeyType.IntegerOrList => "integer or list",
        StudyKeyType.IntegerList => "list of integers",
        StudyKeyType.Blocks => "list of lists of integers",
        StudyKeyType.Layers => "list of layers",
        StudyKeyType.Model => "text, [template](#template), [resnet](#resnet), [layer_list](#layer_list) or [model_file](#model_file)",
        StudyKeyType.SearchSpace => "mapping of run keys to `choice`, `int` or `float`",
        var type => type.ToString().ToLowerInvariant(),
    };

    private static string AllowedText(StudyKey key) => key.Type switch
    {
        StudyKeyType.Choice or StudyKeyType.Text when key.Allowed is not null => string.Join(", ", key.Allowed!),
        StudyKeyType.Integer or StudyKeyType.Number or StudyKeyType.IntegerOrList or StudyKeyType.IntegerList or StudyKeyType.Blocks
            when key.Minimum is not null => key.Bounds,
        _ => "",
    };

    private static JsonObject SectionSchema(StudySection section)
    {
        var properties = new JsonObject();
        foreach (var key in StudyKeys.Of(section.Name))
        {
            var property = KeySchema(key);
            var fallback = DefaultOf(key);
            property["description"] = key.Description + (fallback.Length > 0 ? $" Default: {fallback}." : "");
            properties[key.Name] = property;
        }
        var schema = new JsonObject
        {
            ["description"] = section.Description,
            ["type"] = "object",
            ["properties"] = properties,
            ["additionalProperties"] = false,
        };
        var required = StudyKeys.Of(section.Name).Where(k => k.Required).Select(k => (JsonNode)k.Name).ToArray();
        if (required.Length > 0 && section.Name != "run")
        {
            schema["required"] = new JsonArray(required);
        }
        return schema;
    }

    private static JsonObject KeySchema(StudyKey key)
    {
        switch (key.Type)
        {
            case StudyKeyType.Text when key.Allowed is { } known:
                return new JsonObject { ["type"] = "string", ["enum"] = new JsonArray(known.Select(a => (JsonNode)a).ToArray()) };
            case StudyKeyType.Text:
                return new JsonObject { ["type"] = "string", ["minLength"] = 1 };
            case StudyKeyType.Boolean:
                return new JsonObject { ["type"] = "boolean" };
            case StudyKeyType.Choice:
                return new JsonObject { ["enum"] = new JsonArray(key.Allowed!.Select(a => (JsonNode)a).ToArray()) };
            case StudyKeyType.Integer:
                return Bounded(new JsonObject { ["type"] = "integer" }, key);
            case StudyKeyType.Number:
                return Bounded(new JsonObject { ["type"] = "number" }, key);
            case StudyKeyType.IntegerOrList:
                var list = new JsonObject { ["type"] = "array", ["items"] = Integer(key) };
                return new JsonObject { ["oneOf"] = new JsonArray(Integer(key), list) };
            case StudyKeyType.IntegerList:
                return new JsonObject { ["type"] = "array", ["items"] = Integer(key) };
            case StudyKeyType.Blocks:
                return new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "array", ["items"] = Integer(key) } };
            case StudyKeyType.Layers:
                // Each layer's own keys are checked when the study is read (LayerRegistry); the schema checks the shape.
                return new JsonObject
                {
                    ["type"] = "array",
                    ["minItems"] = 1,
                    ["items"] = new JsonObject { ["type"] = "object", ["minProperties"] = 1, ["maxProperties"] = 1 },
                };
            case StudyKeyType.Mapping:
                // In draft-07 keys beside a $ref are ignored: the reference goes in allOf so the description stays.
                return new JsonObject { ["allOf"] = new JsonArray(Reference(key.Of!)) };
            case StudyKeyType.MappingList:
                var item = Reference(key.Of!);
                return new JsonObject
                {
                    ["type"] = "array",
                    // A run in `runs` needs its name and model; `base` and `variants` take any of a run's keys.
                    ["items"] = key.Name == "runs" ? new JsonObject { ["allOf"] = new JsonArray(item, Required("name", "model")) } : item,
                };
            case StudyKeyType.SearchSpace:
                return SearchSpaceSchema();
            case StudyKeyType.TextOrMapping:
                var text = new JsonObject { ["type"] = "string", ["minLength"] = 1 };
                return new JsonObject { ["oneOf"] = new JsonArray(text, Reference(key.Of!)) };
            default:
                // A model's kind is told by its keys: `layers` for a list of layers, `file` for a file, else a template.
                return new JsonObject
                {
                    ["oneOf"] = new JsonArray(
                        new JsonObject { ["type"] = "string", ["minLength"] = 1 },
                        new JsonObject { ["allOf"] = new JsonArray(Reference("template"), Required("blocks")) },
                        new JsonObject { ["allOf"] = new JsonArray(Reference("resnet"), Required("stages")) },
                        new JsonObject { ["allOf"] = new JsonArray(Reference("layer_list"), Required("layers")) },
                        new JsonObject { ["allOf"] = new JsonArray(Reference("model_file"), Required("file")) }),
                };
        }
    }

    private static JsonObject SearchSpaceSchema()
    {
        JsonObject Pair(string type) => new() { ["type"] = "array", ["items"] = new JsonObject { ["type"] = type }, ["minItems"] = 2,
            ["maxItems"] = 2 };
        var parameter = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["choice"] = new JsonObject { ["type"] = "array", ["minItems"] = 1, ["maxItems"] = SearchSpace.MaxChoices },
                ["int"] = Pair("integer"),
                ["float"] = Pair("number"),
                ["log"] = new JsonObject { ["type"] = "boolean" },
                ["when"] = new JsonObject { ["type"] = "object", ["minProperties"] = 1, ["maxProperties"] = 1 },
            },
            ["additionalProperties"] = false,
            ["oneOf"] = new JsonArray(Required("choice"), Required("int"), Required("float")),
        };
        return new JsonObject
        {
            ["type"] = "object",
            ["minProperties"] = 1,
            ["maxProperties"] = SearchSpace.MaxParameters,
            ["additionalProperties"] = parameter,
        };
    }

    private static JsonObject Integer(StudyKey key) => new() { ["type"] = "integer", ["minimum"] = key.Minimum ?? 1 };

    private static JsonObject Bounded(JsonObject schema, StudyKey key)
    {
        if (key.Minimum is { } min)
        {
            schema[key.MinimumExcluded ? "exclusiveMinimum" : "minimum"] = min;
        }
        if (key.Maximum is { } max)
        {
            schema[key.MaximumExcluded ? "exclusiveMaximum" : "maximum"] = max;
        }
        return schema;
    }

    private static JsonObject Reference(string section) => new() { ["$ref"] = $"#/definitions/{section}" };

    private static JsonObject Required(params string[] keys) =>
        new() { ["required"] = new JsonArray(keys.Select(k => (JsonNode)k).ToArray()) };
}

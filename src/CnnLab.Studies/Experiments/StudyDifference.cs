using System.Text.Json;
using System.Text.Json.Nodes;
using CnnLab.Studies.Experiments.Schema;

namespace CnnLab.Studies.Experiments;

/// <summary>The first place where two resolved studies (as JSON) differ, said as a path and both values.</summary>
internal static class StudyDifference
{
    /// <summary>The name of study.json's schema version (absent in folders written before it: version 1).</summary>
    public const string VersionKey = "SchemaVersion";

    /// <summary>The study as study.json records it: the resolved study and <see cref="StudySchema.Version"/>.</summary>
    public static JsonObject Record(StudyDefinition study, JsonSerializerOptions options)
    {
        var record = JsonSerializer.SerializeToNode(study, options)!.AsObject();
        record[VersionKey] = StudySchema.Version;
        return record;
    }

    /// <summary>The schema version <paramref name="recorded"/> was written with: 1 when it names none (before versions).</summary>
    public static int VersionOf(JsonNode? recorded) =>
        recorded is JsonObject { } r && r[VersionKey] is JsonValue v && v.TryGetValue<int>(out var written) ? written : 1;

    /// <summary>
    /// Null when a folder recording <paramref name="recorded"/> (of this or an older version) can be resumed as
    /// <paramref name="current"/>; else the first difference. A folder of an older version lacks what was added since:
    /// a property it lacks is no difference while this study leaves it empty (null, 0, false, {} or []), the value
    /// every added key defaults to.
    /// </summary>
    public static string? Resumable(JsonNode? recorded, JsonObject current)
    {
        var strip = (JsonObject)current.DeepClone();
        strip.Remove(VersionKey);
        var old = recorded?.DeepClone();
        (old as JsonObject)?.Remove(VersionKey);
        return First(old, strip, "the study", VersionOf(recorded) < StudySchema.Version);
    }

    /// <summary>Null when they are equal; else e.g. <c>Runs[0].Training.Epochs is 3 there and 20 here</c>.</summary>
    public static string? First(JsonNode? recorded, JsonNode? current, string path = "the study", bool olderVersion = false)
    {
        switch (recorded, current)
        {
            case (JsonObject a, JsonObject b):
                foreach (var key in a.Select(p => p.Key).Union(b.Select(p => p.Key)))
                {
                    if (olderVersion && !a.ContainsKey(key) && IsEmpty(b[key]))
                    {
                        continue;
                    }
                    var found = First(a[key], b[key], $"{path}.{key}", olderVersion);
                    if (found is not null)
                    {
                        return found;
                    }
                }
                return null;
            case (JsonArray a, JsonArray b):
                for (var i = 0; i < Math.Max(a.Count, b.Count); i++)
                {
                    var found = i < a.Count && i < b.Count
                        ? First(a[i], b[i], $"{path}[{i}]", olderVersion)
                        : $"{path} has {a.Count} item(s) there and {b.Count} here";
                    if (found is not null)
                    {
                        return found;
                    }
                }
                return null;
            default:
                var there = recorded?.ToJsonString() ?? "null";
                var here = current?.ToJsonString() ?? "null";
                return there == here ? null : $"{path} is {Shorten(there)} there and {Shorten(here)} here";
        }
    }

    private static bool IsEmpty(JsonNode? node) => node switch
    {
        null => true,
        JsonObject o => o.Count == 0,
        JsonArray a => a.Count == 0,
        JsonValue v when v.TryGetValue<bool>(out var flag) => !flag,
        JsonValue v when v.TryGetValue<double>(out var number) => number == 0,
        _ => false,
    };

    private static string Shorten(string json) => json.Length <= 80 ? json : json[..77] + "...";
}

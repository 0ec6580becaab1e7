using System.Text.Json.Nodes;

namespace CnnLab.Experiments;

/// <summary>The first place where two resolved studies (as JSON) differ, said as a path and both values.</summary>
internal static class StudyDifference
{
    /// <summary>Null when they are equal; else e.g. <c>Runs[0].Training.Epochs is 3 there and 20 here</c>.</summary>
    public static string? First(JsonNode? recorded, JsonNode? current, string path = "the study")
    {
        switch (recorded, current)
        {
            case (JsonObject a, JsonObject b):
                foreach (var key in a.Select(p => p.Key).Union(b.Select(p => p.Key)))
                {
                    var found = First(a[key], b[key], $"{path}.{key}");
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
                        ? First(a[i], b[i], $"{path}[{i}]")
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

    private static string Shorten(string json) => json.Length <= 80 ? json : json[..77] + "...";
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CnnLab.Formats.Json;

/// <summary>
/// Parses JSON that came from a file someone else may have written (a model's header and config, a checkpoint
/// index). It is scanned first with the forward-only reader, which holds no stack per level, so a file of
/// 100,000 nested brackets, a syntax error or a key given twice is an <see cref="InvalidDataException"/> naming
/// the file, the place and the rule, before the tree is built.
/// </summary>
public static class JsonText
{
    /// <summary>
    /// Levels of nesting allowed. A model config nests 5 deep (layers, a layer, its config, a pair); 32 leaves room
    /// for what later versions add and still refuses a file built to exhaust the parser.
    /// </summary>
    public const int MaxDepth = 32;

    /// <summary>The parsed tree of <paramref name="json"/>; <paramref name="what"/> names the text in errors ("the header").</summary>
    public static JsonNode Parse(string json, string source, string what) => Parse(Encoding.UTF8.GetBytes(json), source, what);

    /// <summary>The parsed tree of UTF-8 <paramref name="utf8"/>;
    /// <paramref name="what"/> names the text in errors ("the header").</summary>
    public static JsonNode Parse(ReadOnlySpan<byte> utf8, string source, string what)
    {
        Check(utf8, source, what);
        // Check has proved the depth, the syntax and the keys, so this cannot fail.
        return JsonNode.Parse(utf8, documentOptions: new JsonDocumentOptions { MaxDepth = MaxDepth + 1 })!;
    }

    private static void Check(ReadOnlySpan<byte> utf8, string source, string what)
    {
        // The reader's own limit is set above ours so that exceeding ours is reported here, in our words.
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = int.MaxValue });
        var keys = new Stack<HashSet<string>?>();
        try
        {
            if (!reader.Read())
            {
                throw new InvalidDataException($"{source}: {what} is empty; expected a JSON object.");
            }
            if (reader.TokenType == JsonTokenType.Null)
            {
                throw new InvalidDataException($"{source}: {what} is null; expected a JSON object.");
            }
            do
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        if (reader.CurrentDepth >= MaxDepth)
                        {
                            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                                $"{source}: {what} nests deeper than {MaxDepth} levels (at byte {reader.TokenStartIndex + 1}); " +
                                $"CnnLab writes at most 5. The file is damaged or was not written by CnnLab."));
                        }
                        keys.Push(reader.TokenType == JsonTokenType.StartObject ? new HashSet<string>(StringComparer.Ordinal) : null);
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        keys.Pop();
                        break;
                    case JsonTokenType.PropertyName:
                        var key = reader.GetString()!;
                        if (!keys.Peek()!.Add(key))
                        {
                            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                                $"{source}: {what} has the key \"{key}\" twice in one object (at byte {reader.TokenStartIndex + 1}); " +
                                $"each key may appear once."));
                        }
                        break;
                    case JsonTokenType.String:
                        // Decoded once here, so reading the value later cannot fail on bytes that are not UTF-8.
                        reader.GetString();
                        break;
                }
            }
            while (reader.Read());
        }
        catch (JsonException e)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{source}: {what} is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1} of the line). " +
                $"The file is damaged or was not written by CnnLab."));
        }
        catch (InvalidOperationException)
        {
            // GetString on a key or value that is not valid UTF-8.
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{source}: {what} holds text that is not valid UTF-8 (at byte {reader.TokenStartIndex + 1}). The file is damaged or was " +
                $"not written by CnnLab."));
        }
    }
}

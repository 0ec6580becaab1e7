using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace CnnLab.Saving;

/// <summary>
/// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header mapping each name to
/// its dtype, shape and byte range, then the raw little-endian data. Nothing in it is executable, which is why
/// CnnLab loads weights only from it. Reading checks every range and size and names the tensor that is wrong.
/// </summary>
public static class SafeTensors
{
    private const long MaxHeaderBytes = 100_000_000;

    private static readonly Dictionary<ScalarType, (string Name, int Size)> Types = new()
    {
        [ScalarType.Float32] = ("F32", 4),
        [ScalarType.Float64] = ("F64", 8),
        [ScalarType.Int64] = ("I64", 8),
        [ScalarType.Int32] = ("I32", 4),
        [ScalarType.Byte] = ("U8", 1),
    };

    /// <summary>Writes the tensors (in the given order) and optional string metadata to <paramref name="path"/>, atomically.</summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            header["__metadata__"] = new JsonObject(metadata.Select(kv => new KeyValuePair<string, JsonNode?>(kv.Key, kv.Value)));
        }
        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var (name, tensor) in tensors)
        {
            if (!Types.TryGetValue(tensor.dtype, out var type))
            {
                throw new ArgumentException($"Tensor \"{name}\" has dtype {tensor.dtype}; safetensors files here hold {string.Join(", ", Types.Keys)}.");
            }
            using var contiguous = tensor.detach().cpu().contiguous();
            var bytes = contiguous.bytes.ToArray();
            header[name] = new JsonObject
            {
                ["dtype"] = type.Name,
                ["shape"] = new JsonArray(tensor.shape.Select(d => (JsonNode?)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes.Length),
            };
            blobs.Add(bytes);
            offset += bytes.Length;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        // The data start is aligned to 8 bytes with trailing spaces, as the reference writer does.
        var padded = (json.Length + 7) / 8 * 8;
        var temporary = path + ".tmp";
        using (var stream = File.Create(temporary))
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
            stream.Write(length);
            stream.Write(json);
            stream.Write(Enumerable.Repeat((byte)' ', padded - json.Length).ToArray());
            foreach (var blob in blobs)
            {
                stream.Write(blob);
            }
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads every tensor (CPU, in file order) and the metadata; a malformed file is an <see cref="InvalidDataException"/> naming the problem.</summary>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such weights file.", path);
        }
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8)
        {
            throw new InvalidDataException($"{path}: {bytes.Length} bytes is too short for a safetensors file (truncated?).");
        }
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaxHeaderBytes || 8 + (long)headerLength > bytes.Length)
        {
            throw new InvalidDataException($"{path}: the header claims {headerLength} bytes but the file has {bytes.Length}; not a safetensors file, or truncated.");
        }
        JsonObject header;
        try
        {
            header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, (int)headerLength))?.AsObject()
                ?? throw new InvalidDataException($"{path}: the header is empty.");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: the header is not a JSON object: {e.Message}");
        }
        var dataStart = 8 + (long)headerLength;
        var dataLength = bytes.Length - dataStart;
        var metadata = new Dictionary<string, string>();
        var tensors = new Dictionary<string, Tensor>();
        try
        {
            foreach (var (name, node) in header)
            {
                if (name == "__metadata__")
                {
                    foreach (var (key, value) in node?.AsObject() ?? new JsonObject())
                    {
                        metadata[key] = value?.GetValue<string>() ?? "";
                    }
                    continue;
                }
                tensors[name] = ReadTensor(path, name, node, bytes, dataStart, dataLength);
            }
        }
        catch
        {
            foreach (var tensor in tensors.Values)
            {
                tensor.Dispose();
            }
            throw;
        }
        return (tensors, metadata);
    }

    private static Tensor ReadTensor(string path, string name, JsonNode? node, byte[] bytes, long dataStart, long dataLength)
    {
        try
        {
            var dtypeName = node?["dtype"]?.GetValue<string>();
            var (dtype, size) = Types.Where(kv => kv.Value.Name == dtypeName).Select(kv => (kv.Key, kv.Value.Size)).FirstOrDefault();
            if (size == 0)
            {
                throw new InvalidDataException($"{path}: tensor \"{name}\" has dtype {dtypeName ?? "(none)"}; expected one of {string.Join(", ", Types.Values.Select(t => t.Name))}.");
            }
            var shape = node!["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
            var offsets = node["data_offsets"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
            var expected = shape.Aggregate(1L, (a, b) => a * b) * size;
            if (shape.Any(d => d < 0) || offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > dataLength)
            {
                throw new InvalidDataException($"{path}: tensor \"{name}\" has byte range [{string.Join(", ", offsets)}] outside the {dataLength} data bytes (truncated file?).");
            }
            if (offsets[1] - offsets[0] != expected)
            {
                throw new InvalidDataException($"{path}: tensor \"{name}\" of shape ({string.Join(", ", shape)}) needs {expected} bytes but its range holds {offsets[1] - offsets[0]}.");
            }
            var result = empty(shape, dtype);
            bytes.AsSpan((int)(dataStart + offsets[0]), (int)expected).CopyTo(result.bytes);
            return result;
        }
        catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new InvalidDataException($"{path}: tensor \"{name}\" has a malformed entry in the header (needs dtype, shape, data_offsets).");
        }
    }
}

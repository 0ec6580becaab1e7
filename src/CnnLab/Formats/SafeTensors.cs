using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CnnLab.Core;
using CnnLab.Formats.Json;
using static TorchSharp.torch;

namespace CnnLab.Formats;

/// <summary>
/// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header mapping each name to
/// its dtype, shape and byte range, then the raw little-endian data. Nothing in it is executable, which is why
/// CnnLab loads weights only from it. Reading checks every range and size and names the tensor that is wrong.
/// </summary>
public static class SafeTensors
{
    private const long MaxHeaderBytes = 100_000_000;

    // No CnnLab weight has more than 4 dimensions; a header claiming thousands is damaged.
    private const int MaxRank = 8;

    private static readonly Dictionary<ScalarType, (string Name, int Size)> Types = new()
    {
        [ScalarType.Float32] = ("F32", 4),
        [ScalarType.Float64] = ("F64", 8),
        [ScalarType.Int64] = ("I64", 8),
        [ScalarType.Int32] = ("I32", 4),
        [ScalarType.Byte] = ("U8", 1),
    };

    /// <summary>Writes the tensors (in the given order) and optional string metadata to <paramref name="path"/>, atomically.</summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
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
                throw new ArgumentException($"Tensor \"{name}\" has dtype {tensor.dtype}; safetensors files here hold " +
                    $"{string.Join(", ", Types.Keys)}.");
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
        AtomicFile.Write(path, stream =>
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
        });
    }

    /// <summary>
    /// Reads every tensor (CPU, in file order) and the metadata. Every size the header claims is checked against the
    /// file's length before anything is allocated; a malformed file is an <see cref="InvalidDataException"/> starting
    /// with the file name and naming the tensor and the key.
    /// </summary>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Load(string path)
    {
        var (header, dataStart, dataLength) = ReadHeader(path);
        var metadata = new Dictionary<string, string>();
        var entries = new List<(string Name, ScalarType Type, long[] Shape, long Start, long Length)>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                var values = node as JsonObject ?? throw JsonFields.Wrong($"{path}: the header", name, header, "an object of text values");
                foreach (var (key, value) in values)
                {
                    metadata[key] = JsonFields.TextOf(value)
                        ?? throw JsonFields.Wrong($"{path}: the header's \"__metadata__\"", key, values, "text");
                }
                continue;
            }
            entries.Add(ReadEntry(path, name, node, header, dataLength));
        }
        var tensors = new Dictionary<string, Tensor>();
        try
        {
            using var stream = OpenRegularFile(path);
            foreach (var entry in entries)
            {
                var tensor = empty(entry.Shape, entry.Type);
                tensors[entry.Name] = tensor;
                stream.Position = dataStart + entry.Start;
                ReadExactly(stream, tensor.bytes, path);
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

    private static (JsonObject Header, long DataStart, long DataLength) ReadHeader(string path)
    {
        using var stream = OpenRegularFile(path);
        var fileLength = stream.Length;
        if (fileLength < 8)
        {
            throw new InvalidDataException($"{path}: {fileLength} bytes is too short for a safetensors file (truncated?).");
        }
        Span<byte> lengthBytes = stackalloc byte[8];
        ReadExactly(stream, lengthBytes, path);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes || (long)headerLength > fileLength - 8)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{path}: the header claims {headerLength} bytes but the file has {fileLength} (and a header may have at most " +
                $"{MaxHeaderBytes:N0}); not a safetensors file, or truncated."));
        }
        var headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes, path);
        var parsed = JsonText.Parse(headerBytes, path, "the safetensors header");
        var header = parsed as JsonObject
            ?? throw new InvalidDataException($"{path}: the safetensors header is {JsonFields.Describe(parsed)}; " +
                $"expected a JSON object of tensors.");
        return (header, 8 + (long)headerLength, fileLength - 8 - (long)headerLength);
    }

    /// <summary>
    /// One tensor's entry, checked: its byte range lies in the data, and its shape's element count (multiplied with
    /// an overflow check: 2^32 x 2^32 must not wrap around to 0) fills exactly that range.
    /// </summary>
    private static (string Name, ScalarType Type, long[] Shape, long Start, long Length) ReadEntry(string path, string name, JsonNode? node,
        JsonObject header, long dataLength)
    {
        var at = $"{path}: tensor \"{name}\"";
        var entry = node as JsonObject ?? throw JsonFields.Wrong($"{path}: the header", name, header,
            "an object {\"dtype\", \"shape\", \"data_offsets\"} or \"__metadata__\"");
        var dtypeName = JsonFields.Text(entry, "dtype", at, $"one of {string.Join(", ", Types.Values.Select(t => t.Name))}");
        var (dtype, size) = Types.Where(kv => kv.Value.Name == dtypeName).Select(kv => (kv.Key, kv.Value.Size)).FirstOrDefault();
        if (size == 0)
        {
            throw JsonFields.Wrong(at, "dtype", entry, $"one of {string.Join(", ", Types.Values.Select(t => t.Name))}");
        }
        var shapeNode = JsonFields.Array(entry, "shape", at, "a list of whole numbers");
        if (shapeNode.Count > MaxRank)
        {
            throw JsonFields.Wrong(at, "shape", entry, $"at most {MaxRank} dimensions");
        }
        var shape = new long[shapeNode.Count];
        for (var i = 0; i < shape.Length; i++)
        {
            shape[i] = JsonFields.IntOf(shapeNode[i]) is int d and >= 0 ? d
                : throw JsonFields.Wrong(at, "shape", entry, $"whole numbers from 0 to {int.MaxValue}");
        }
        var offsetsNode = JsonFields.Array(entry, "data_offsets", at, "[begin, end], two byte offsets into the data");
        var offsets = offsetsNode.Select(o => o is JsonValue v && v.TryGetValue<long>(out var n) && n >= 0 ? n : -1).ToArray();
        if (offsets.Length != 2 || offsets.Any(o => o < 0) || offsets[1] < offsets[0])
        {
            throw JsonFields.Wrong(at, "data_offsets", entry, "[begin, end], two byte offsets with begin <= end");
        }
        var length = offsets[1] - offsets[0];
        if (offsets[1] > dataLength)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{at} has byte range [{offsets[0]}, {offsets[1]}] outside the {dataLength} data bytes (truncated file?)."));
        }
        if (ByteCount(shape, size, length) != length)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{at} of shape ({string.Join(", ", shape)}) {dtypeName} needs {Describe(shape, size)} bytes but its range " +
                $"holds {length}."));
        }
        if (length > int.MaxValue)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{at} holds {length:N0} bytes; one tensor may hold at most {int.MaxValue:N0} (2 GiB). Split the layer."));
        }
        return (name, dtype, shape, offsets[0], length);
    }

    /// <summary>The bytes a tensor of this shape takes, or -1 as soon as the product passes <paramref name="limit"/>.</summary>
    private static long ByteCount(long[] shape, int size, long limit)
    {
        if (shape.Contains(0))
        {
            return 0;
        }
        long bytes = size;
        foreach (var d in shape)
        {
            // Dividing before multiplying keeps bytes * d at most limit, so the product never overflows.
            if (d > limit / bytes)
            {
                return -1;
            }
            bytes *= d;
        }
        return bytes;
    }

    // The element count as text for the error, exact even when it does not fit a long.
    private static string Describe(long[] shape, int size) =>
        shape.Aggregate((System.Numerics.BigInteger)size, (a, b) => a * b).ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>
    /// Opens a file to read, refusing what is not a regular file: a device such as /dev/zero never ends, and a FIFO
    /// blocks until someone writes to it.
    /// </summary>
    private static FileStream OpenRegularFile(string path)
    {
        var kind = FileKinds.Of(path);
        if (kind == FileKind.Missing)
        {
            throw new FileNotFoundException($"{path}: no such weights file.", path);
        }
        if (kind != FileKind.Regular)
        {
            throw new InvalidDataException($"{path}: is {FileKinds.Describe(kind)}, not a regular file; expected a .safetensors file.");
        }
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string path)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException)
        {
            // The file shrank after its length was checked.
            throw new InvalidDataException($"{path}: the file ended early while reading; it is truncated or being written.");
        }
    }
}

using System.Buffers.Binary;
using System.IO.Compression;

namespace CnnLab.Data;

/// <summary>
/// Reads IDX files (MNIST's format), gzip-compressed or raw: a magic number (two zero bytes, an element-type
/// code, the number of dimensions), the big-endian dimension sizes, then the elements. Only unsigned bytes
/// (type 0x08) are accepted, which is what image and label files use.
/// </summary>
public static class IdxFile
{
    private const byte UnsignedByte = 0x08;

    /// <summary>The dimensions and the raw bytes of an IDX file of unsigned bytes.</summary>
    public static (int[] Dimensions, byte[] Data) Read(string path, int expectedRank)
    {
        using var stream = Open(path);
        Span<byte> header = stackalloc byte[4];
        ReadExactly(stream, header, path, "the 4-byte magic number");
        if (header[0] != 0 || header[1] != 0)
        {
            throw new InvalidDataException(
                $"{path}: not an IDX file: the magic number starts with 0x{header[0]:X2}{header[1]:X2}, expected 0x0000. " +
                "Check that the file is an uncompressed or gzip-compressed IDX file.");
        }
        if (header[2] != UnsignedByte)
        {
            throw new InvalidDataException($"{path}: IDX element type 0x{header[2]:X2} is not supported; expected 0x08 (unsigned byte).");
        }
        if (header[3] != expectedRank)
        {
            throw new InvalidDataException(
                $"{path}: IDX file has {header[3]} dimension(s); expected {expectedRank} ({(expectedRank == 1 ? "labels" : "images")}).");
        }
        var dimensions = new int[expectedRank];
        Span<byte> size = stackalloc byte[4];
        long total = 1;
        for (var i = 0; i < expectedRank; i++)
        {
            ReadExactly(stream, size, path, $"dimension {i}");
            var value = BinaryPrimitives.ReadInt32BigEndian(size);
            if (value < 0)
            {
                throw new InvalidDataException($"{path}: dimension {i} has size {value}; sizes must be non-negative.");
            }
            dimensions[i] = value;
            total *= value;
        }
        if (total > Array.MaxLength)
        {
            throw new InvalidDataException($"{path}: the header declares {total} elements, more than one array can hold.");
        }
        var data = new byte[total];
        ReadExactly(stream, data, path, $"{total} elements ({string.Join(" x ", dimensions)})");
        return (dimensions, data);
    }

    private static Stream Open(string path)
    {
        var file = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[2];
        var read = file.Read(magic);
        file.Position = 0;
        if (read == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
        {
            return new BufferedStream(new GZipStream(file, CompressionMode.Decompress), 1 << 16);
        }
        return file;
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string path, string what)
    {
        var offset = 0;
        try
        {
            while (offset < buffer.Length)
            {
                var read = stream.Read(buffer[offset..]);
                if (read == 0)
                {
                    break;
                }
                offset += read;
            }
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: corrupt gzip data while reading {what}: {e.Message}", e);
        }
        if (offset < buffer.Length)
        {
            throw new InvalidDataException($"{path}: file is truncated: expected {what}, but the data ended after {offset} of " +
                $"{buffer.Length} bytes.");
        }
    }
}

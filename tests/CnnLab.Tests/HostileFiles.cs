using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using CnnLab.Core;
using CnnLab.Layers;
using CnnLab.Models;

namespace CnnLab.Tests;

/// <summary>Files crafted to lie: PNG headers claiming huge sizes, safetensors files with edited headers.</summary>
internal static class HostileFiles
{
    /// <summary>A PNG whose header (IHDR, with a correct CRC) claims <paramref name="width"/>
    /// x <paramref name="height"/>; the pixel data is a few bytes.</summary>
    public static void Png(string path, int width, int height)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var bytes = new List<byte> { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A };
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 2; // RGB
        bytes.AddRange(Chunk("IHDR", header));
        bytes.AddRange(Chunk("IDAT", new byte[] { 0x78, 0x9C, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01 }));
        bytes.AddRange(Chunk("IEND", Array.Empty<byte>()));
        File.WriteAllBytes(path, bytes.ToArray());
    }

    private static byte[] Chunk(string type, byte[] data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }
        return ~crc;
    }

    /// <summary>A small saved model: 8x8 grayscale, Conv2D(2, 3), Flatten, Dense(2, softmax); classes "a" and "b".</summary>
    public static void SmallModel(string path, float? poison = null)
    {
        using var model = new Sequential(Shape.Image(8, 8, 1), seed: 1);
        model.Add(new Conv2D(2, 3));
        model.Add(new Flatten());
        model.Add(new Dense(2, activation: "softmax"));
        model.ClassNames = new[] { "a", "b" };
        if (poison is { } value)
        {
            using var _ = TorchSharp.torch.no_grad();
            ((Dense)model.Layers[2]).Kernel[0, 0] = value;
        }
        model.Save(path);
    }

    /// <summary>The 8-byte length, the JSON header and the data of a safetensors file.</summary>
    public static (JsonObject Header, byte[] Data) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        return (JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, length))!.AsObject(), bytes[(8 + length)..]);
    }

    /// <summary>Writes a safetensors file from a header (as text, so it can be malformed) and data.</summary>
    public static void Write(string path, string header, byte[] data)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + json.Length);
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>Rewrites the model config kept in a saved model's metadata.</summary>
    public static void EditConfig(string path, Action<JsonObject> edit)
    {
        var (header, data) = Read(path);
        var metadata = header["__metadata__"]!.AsObject();
        var config = JsonNode.Parse(metadata["cnnlab_config"]!.GetValue<string>())!.AsObject();
        edit(config);
        metadata["cnnlab_config"] = config.ToJsonString();
        Write(path, header.ToJsonString(), data);
    }

    /// <summary>
    /// /dev/full, or as root a private node of the same device in the test folder: were the check ever lost, a test
    /// run as root would otherwise replace the machine's /dev/full, as the bug did.
    /// </summary>
    public static string DeviceFull(string folder)
    {
        if (Environment.UserName != "root")
        {
            return "/dev/full";
        }
        var node = Path.Combine(folder, "full");
        using var mknod = Process.Start("mknod", new[] { node, "c", "1", "7" });
        mknod.WaitForExit();
        Assert.True(mknod.ExitCode == 0, "mknod failed; the test needs a character device it may damage");
        return node;
    }

    public static string Fifo(string folder)
    {
        var fifo = Path.Combine(folder, "pipe");
        using var mkfifo = Process.Start("mkfifo", new[] { fifo });
        mkfifo.WaitForExit();
        return fifo;
    }
}

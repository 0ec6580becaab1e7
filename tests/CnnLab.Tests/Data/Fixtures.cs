using System.IO.Compression;
using System.Net;
using SkiaSharp;

namespace CnnLab.Tests.Data;

/// <summary>Small generated data files: IDX, CIFAR-10 batches, PNG and JPEG images, and a fake HTTP server.</summary>
internal static class Fixtures
{
    public static byte[] IdxHeader(int rank, params int[] dimensions)
    {
        var header = new List<byte> { 0, 0, 8, (byte)rank };
        foreach (var d in dimensions)
        {
            header.AddRange(BitConverter.GetBytes(d).Reverse());
        }
        return header.ToArray();
    }

    public static byte[] Gzip(byte[] bytes)
    {
        using var memory = new MemoryStream();
        using (var zip = new GZipStream(memory, CompressionLevel.Fastest))
        {
            zip.Write(bytes);
        }
        return memory.ToArray();
    }

    /// <summary>The four gzip IDX files of a tiny MNIST-layout dataset: 6 training and 4 test images of 4x4, labels 0-9.</summary>
    public static Dictionary<string, byte[]> IdxSet()
    {
        byte[] Images(int n) => IdxHeader(3, n, 4, 4).Concat(Enumerable.Range(0, n * 16).Select(i => (byte)(i * 7 % 256))).ToArray();
        byte[] Labels(int n) => IdxHeader(1, n).Concat(Enumerable.Range(0, n).Select(i => (byte)(i % 10))).ToArray();
        return new Dictionary<string, byte[]>
        {
            ["train-images-idx3-ubyte.gz"] = Gzip(Images(6)),
            ["train-labels-idx1-ubyte.gz"] = Gzip(Labels(6)),
            ["t10k-images-idx3-ubyte.gz"] = Gzip(Images(4)),
            ["t10k-labels-idx1-ubyte.gz"] = Gzip(Labels(4)),
        };
    }

    public static void WriteAll(string folder, Dictionary<string, byte[]> files)
    {
        Directory.CreateDirectory(folder);
        foreach (var (name, bytes) in files)
        {
            File.WriteAllBytes(Path.Combine(folder, name), bytes);
        }
    }

    /// <summary>A CIFAR-10 batch of <paramref name="records"/> records; record i has label i % 10 and red plane value i.</summary>
    public static byte[] CifarBatch(int records)
    {
        var bytes = new byte[records * 3073];
        for (var i = 0; i < records; i++)
        {
            bytes[i * 3073] = (byte)(i % 10);
            for (var p = 0; p < 1024; p++)
            {
                bytes[i * 3073 + 1 + p] = (byte)i;
                bytes[i * 3073 + 1 + 1024 + p] = 100;
                bytes[i * 3073 + 1 + 2048 + p] = 200;
            }
        }
        return bytes;
    }

    /// <summary>An image folder of two classes, <paramref name="perClass"/> solid PNGs each: dark (a seeded shade below
    /// 90) and light (210), <paramref name="size"/> pixels square; for studies that must train in seconds.</summary>
    public static void TwoShadeFolder(string folder, int perClass, int size, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < perClass; i++)
        {
            var shade = (byte)random.Next(0, 90);
            Image(Path.Combine(folder, "dark", $"{i}.png"), size, size, new SKColor(shade, shade, shade));
            Image(Path.Combine(folder, "light", $"{i}.png"), size, size, new SKColor(210, 210, 210));
        }
    }

    /// <summary>A solid-colour image file, PNG or JPEG by extension.</summary>
    public static void Image(string path, int width, int height, SKColor color)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(color);
        using var image = SKImage.FromBitmap(bitmap);
        var format = path.EndsWith(".png", StringComparison.OrdinalIgnoreCase) ? SKEncodedImageFormat.Png : SKEncodedImageFormat.Jpeg;
        using var data = image.Encode(format, 95);
        File.WriteAllBytes(path, data.ToArray());
    }

    /// <summary>
    /// A folder of <paramref name="classes"/> class sub-folders ("c0".."c9") of <paramref name="perClass"/> grayscale PNGs of
    /// size x size: class k is a bright horizontal bar on row k + 1 over dark noise, so a small CNN tells them apart quickly.
    /// Read in file order, the samples come class by class.
    /// </summary>
    public static void ClassOrderedFolder(string root, int classes, int perClass, int size, int seed = 1)
    {
        var random = new Random(seed);
        for (var k = 0; k < classes; k++)
        {
            for (var i = 0; i < perClass; i++)
            {
                using var bitmap = new SKBitmap(new SKImageInfo(size, size, SKColorType.Gray8, SKAlphaType.Opaque));
                var pixels = bitmap.GetPixelSpan();
                for (var p = 0; p < size * size; p++)
                {
                    pixels[p] = (byte)(p / size == k + 1 ? random.Next(200, 256) : random.Next(0, 60));
                }
                var path = Path.Combine(root, $"c{k}", $"{i:D3}.png");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
                File.WriteAllBytes(path, data.ToArray());
            }
        }
    }

    public static string Md5(byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(bytes));
}

/// <summary>Answers GET requests from a dictionary of URL to bytes; anything else is a 404. Counts requests.</summary>
internal sealed class FakeServer : HttpMessageHandler
{
    private readonly Dictionary<string, byte[]> _files;

    public FakeServer(Dictionary<string, byte[]> files) => _files = files;

    public List<string> Requests { get; } = new();

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var url = request.RequestUri!.ToString();
        Requests.Add(url);
        return _files.TryGetValue(url, out var bytes)
            ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(bytes) }
            : new HttpResponseMessage(HttpStatusCode.NotFound) { ReasonPhrase = "Not Found" };
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(Send(request, cancellationToken));
}

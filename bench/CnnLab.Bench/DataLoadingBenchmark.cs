using System.Diagnostics;
using CnnLab.Data;
using CnnLab.Engine;
using SkiaSharp;

namespace CnnLab.Bench;

/// <summary>
/// Times loading all 70,000 Fashion-MNIST images from their .gz files into float tensors, and decoding an
/// image folder of 10,000 generated 28x28 PNGs. Each is run three times after a warm-up; the best and
/// median are printed.
/// </summary>
internal static class DataLoadingBenchmark
{
    public static void Run(string[] args)
    {
        var dataDir = args.Length >= 2 && args[0] == "--data-dir" ? args[1] : FashionMnist.DebianFolder;
        var threads = TorchEngine.Configure();
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {threads} threads");

        Report("Fashion-MNIST 70,000 images from .gz", () =>
        {
            using var splits = FashionMnist.Load(dataDir, new DataLocator(dataDir));
            return splits.Train.Count + splits.Test.Count;
        });

        var folder = Path.Combine(Path.GetTempPath(), "cnnlab-bench-pngs");
        MakePngFolder(folder, 10_000);
        try
        {
            Report("image folder of 10,000 28x28 PNGs", () =>
            {
                using var data = ImageFolder.Load(folder, ColorMode.Grayscale);
                return data.Count;
            });
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    private static void Report(string what, Func<int> load)
    {
        load();
        var seconds = new List<double>();
        var count = 0;
        for (var i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            count = load();
            seconds.Add(clock.Elapsed.TotalSeconds);
        }
        seconds.Sort();
        Console.WriteLine($"{what}: {count} images, best {seconds[0]:F3} s, median {seconds[1]:F3} s");
    }

    private static void MakePngFolder(string folder, int count)
    {
        var random = new Random(1);
        for (var i = 0; i < count; i++)
        {
            var path = Path.Combine(folder, $"class{i % 10}", $"{i}.png");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var bitmap = new SKBitmap(28, 28, SKColorType.Gray8, SKAlphaType.Opaque);
            var pixels = new byte[28 * 28];
            random.NextBytes(pixels);
            System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
            using var image = SKImage.FromBitmap(bitmap);
            using var png = image.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(path, png.ToArray());
        }
    }
}

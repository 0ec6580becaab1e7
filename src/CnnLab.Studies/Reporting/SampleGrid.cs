using CnnLab.Data;
using CnnLab.Formats;
using SkiaSharp;
using static TorchSharp.torch;

namespace CnnLab.Studies.Reporting;

/// <summary>A PNG grid of random training images captioned with their class names: the notebook's first cell.</summary>
public static class SampleGrid
{
    private const int Caption = 18;

    /// <summary>Draws a <paramref name="rows"/> x <paramref name="rows"/> grid
    /// of random samples (seeded) into a PNG file, written atomically.</summary>
    public static void Save(Dataset dataset, string path, int rows = 5, long seed = 0, int cellSize = 96) =>
        AtomicFile.Write(path, Png(dataset, rows, seed, cellSize));

    /// <summary>The PNG bytes of a <paramref name="rows"/> x <paramref name="rows"/> grid of random samples (seeded).</summary>
    public static byte[] Png(Dataset dataset, int rows = 5, long seed = 0, int cellSize = 96)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (rows <= 0)
        {
            throw new ArgumentException($"Invalid value for argument `rows`. Expected a strictly positive value. Received: rows={rows}",
                nameof(rows));
        }
        var random = new Random(unchecked((int)seed));
        var picks = Enumerable.Range(0, dataset.Count).OrderBy(_ => random.Next()).Take(Math.Min(rows * rows, dataset.Count)).ToList();
        var labels = dataset.Labels.data<long>().ToArray();
        return Png(dataset, picks, picks.Select(i => dataset.ClassNames[(int)labels[i]]).ToList(), rows, cellSize);
    }

    /// <summary>
    /// The PNG bytes of the given samples with the given captions, <paramref name="columns"/> per row: what a report
    /// both writes and embeds, so it never reads its own image back.
    /// </summary>
    public static byte[] Png(Dataset dataset, IReadOnlyList<int> indices, IReadOnlyList<string> captions, int columns, int cellSize = 96)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(captions);
        var count = indices.Count;
        var rows = Math.Max(1, (count + columns - 1) / columns);
        var channels = (int)dataset.Images.shape[1];
        var height = (int)dataset.Images.shape[2];
        var width = (int)dataset.Images.shape[3];
        var cellHeight = cellSize + Caption;

        using var surface = SKSurface.Create(new SKImageInfo(columns * cellSize, rows * cellHeight));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var typeface = Fonts.Sans();
        using var font = new SKFont(typeface, 12);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var pixelated = new SKPaint { IsAntialias = false };
        for (var k = 0; k < count; k++)
        {
            using var image = ToBitmap(dataset, indices[k], channels, height, width);
            var x = k % columns * cellSize;
            var y = k / columns * cellHeight;
            canvas.DrawBitmap(image, new SKRect(x + 4, y + 4, x + cellSize - 4, y + cellSize - 4), pixelated);
            canvas.DrawText(captions[k], x + cellSize / 2f, y + cellSize + 12, SKTextAlign.Center, font, ink);
        }
        using var snapshot = surface.Snapshot();
        using var png = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    private static SKBitmap ToBitmap(Dataset dataset, int index, int channels, int height, int width)
    {
        using var scope = NewDisposeScope();
        var image = dataset.Images[index];
        // Standardised images are mapped back to the visible range by their own minimum and maximum.
        var low = image.min().item<float>();
        var high = image.max().item<float>();
        var scaled = low >= 0 && high <= 1 ? image : (image - low) / Math.Max(high - low, 1e-6f);
        var bytes = (scaled * 255).clamp(0, 255).to(ScalarType.Byte).contiguous().data<byte>().ToArray();
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var pixels = new byte[width * height * 4];
        var plane = width * height;
        for (var p = 0; p < plane; p++)
        {
            pixels[4 * p] = bytes[p];
            pixels[4 * p + 1] = bytes[channels == 3 ? plane + p : p];
            pixels[4 * p + 2] = bytes[channels == 3 ? 2 * plane + p : p];
            pixels[4 * p + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        return bitmap;
    }
}

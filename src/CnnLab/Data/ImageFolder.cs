using SkiaSharp;

namespace CnnLab.Data;

/// <summary>
/// A folder of class sub-folders of PNG and JPEG images, as Keras' <c>image_dataset_from_directory</c>:
/// class names are the sub-folder names in alphabetical order, labels their indices. Images are decoded
/// with Skia, converted to <see cref="ColorMode"/>, and resized to a declared size or required to share one.
/// </summary>
public static class ImageFolder
{
    private static readonly string[] Extensions = { ".png", ".jpg", ".jpeg" };

    /// <summary>Loads every image under <paramref name="path"/>'s class folders, pixels scaled to [0, 1].</summary>
    public static Dataset Load(string path, ColorMode color = ColorMode.Rgb, (int Height, int Width)? size = null)
    {
        if (!Directory.Exists(path))
        {
            throw new DirectoryNotFoundException($"Image folder \"{path}\" does not exist. Expected a folder with one sub-folder of PNG or JPEG images per class.");
        }
        var classes = Directory.GetDirectories(path).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        if (classes.Count == 0)
        {
            throw new InvalidDataException($"Image folder \"{path}\" has no class sub-folders. Put each class's images in a sub-folder named after the class.");
        }
        var files = new List<(string File, byte Label)>();
        for (var c = 0; c < classes.Count; c++)
        {
            var classFolder = Path.Combine(path, classes[c]);
            var images = Directory.EnumerateFiles(classFolder, "*", SearchOption.AllDirectories)
                .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                .Order(StringComparer.Ordinal)
                .ToList();
            if (images.Count == 0)
            {
                throw new InvalidDataException($"Class folder \"{classFolder}\" has no PNG or JPEG images. Remove it or add images.");
            }
            if (c > byte.MaxValue)
            {
                throw new InvalidDataException($"Image folder \"{path}\" has {classes.Count} classes; at most 256 are supported.");
            }
            files.AddRange(images.Select(f => (f, (byte)c)));
        }
        return Decode(files, classes, color, size);
    }

    private static Dataset Decode(List<(string File, byte Label)> files, IReadOnlyList<string> classes, ColorMode color, (int Height, int Width)? size)
    {
        var channels = color == ColorMode.Rgb ? 3 : 1;
        var (height, width) = size ?? FirstSize(files[0].File);
        if (height <= 0 || width <= 0)
        {
            throw new ArgumentException($"Invalid image size ({height}, {width}). Expected strictly positive height and width.", nameof(size));
        }
        var plane = height * width;
        var pixels = new byte[files.Count * channels * plane];
        var labels = files.Select(f => f.Label).ToArray();
        var failures = new Exception?[files.Count];
        Parallel.For(0, files.Count, i =>
        {
            try
            {
                DecodeOne(files, i, size, height, width, channels, pixels);
            }
            catch (InvalidDataException e)
            {
                failures[i] = e;
            }
        });
        // Report the first bad file in folder order, whatever thread met it first.
        if (failures.FirstOrDefault(f => f is not null) is { } failure)
        {
            throw failure;
        }
        return Dataset.FromBytes(pixels, labels, files.Count, channels, height, width, classes);
    }

    private static void DecodeOne(List<(string File, byte Label)> files, int i, (int Height, int Width)? size, int height, int width, int channels, byte[] pixels)
    {
        var plane = height * width;
        using var bitmap = SKBitmap.Decode(files[i].File) ?? throw new InvalidDataException(
            $"{files[i].File}: the image could not be decoded; expected a valid PNG or JPEG file.");
        if (size is null && (bitmap.Height != height || bitmap.Width != width))
        {
            throw new InvalidDataException(
                $"{files[i].File}: image is {bitmap.Width}x{bitmap.Height} but {files[0].File} is {width}x{height}. " +
                "Images of different sizes need a declared size to resize to (--image-size HxW, or the size argument).");
        }
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var converted = bitmap.Width == width && bitmap.Height == height && bitmap.ColorType == SKColorType.Rgba8888 && bitmap.AlphaType == SKAlphaType.Unpremul
            ? bitmap.Copy()
            : bitmap.Resize(info, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None));
        var rgba = converted.Bytes;
        var offset = i * channels * plane;
        for (var p = 0; p < plane; p++)
        {
            byte r = rgba[4 * p], g = rgba[4 * p + 1], b = rgba[4 * p + 2];
            if (channels == 1)
            {
                pixels[offset + p] = (byte)Math.Round(0.299 * r + 0.587 * g + 0.114 * b);
            }
            else
            {
                pixels[offset + p] = r;
                pixels[offset + plane + p] = g;
                pixels[offset + 2 * plane + p] = b;
            }
        }
    }

    private static (int Height, int Width) FirstSize(string file)
    {
        using var codec = SKCodec.Create(file) ?? throw new InvalidDataException($"{file}: the image could not be decoded; expected a valid PNG or JPEG file.");
        return (codec.Info.Height, codec.Info.Width);
    }
}

using SkiaSharp;

namespace CnnLab.Data;

/// <summary>
/// A folder of class sub-folders of PNG and JPEG images, as Keras' <c>image_dataset_from_directory</c>:
/// class names are the sub-folder names in alphabetical order, labels their indices. Images are decoded
/// with Skia, converted to <see cref="ColorMode"/>, and resized to a declared size or required to share one. As Keras'
/// <c>shuffle=True</c>, the file list is shuffled (seeded) unless the <see cref="DataShuffle"/> keeps file order.
/// </summary>
public static class ImageFolder
{
    private static readonly string[] Extensions = { ".png", ".jpg", ".jpeg" };

    /// <summary>
    /// Loads every image under <paramref name="path"/>'s class folders, pixels scaled to [0, 1], in the order of
    /// <paramref name="shuffle"/> (default: shuffled with <see cref="DataShuffle.DefaultSeed"/>).
    /// </summary>
    public static Dataset Load(string path, ColorMode color = ColorMode.Rgb, (int Height, int Width)? size = null,
        DataShuffle? shuffle = null)
    {
        if (!Directory.Exists(path))
        {
            throw new DirectoryNotFoundException($"Image folder \"{path}\" does not exist. Expected a folder with one sub-folder of PNG " +
                $"or JPEG images per class.");
        }
        var classes = Directory.GetDirectories(path).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        if (classes.Count == 0)
        {
            throw new InvalidDataException($"Image folder \"{path}\" has no class sub-folders. Put each class's images in a sub-folder " +
                $"named after the class.");
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
        var order = (shuffle ?? DataShuffle.Default).Order(files.Count);
        return Decode(order.Select(i => files[i]).ToList(), classes, color, size);
    }

    private static Dataset Decode(List<(string File, byte Label)> files, IReadOnlyList<string> classes, ColorMode color,
        (int Height, int Width)? size)
    {
        var (pixels, channels, height, width) = ImageFiles.DecodeAll(files.Select(f => f.File).ToList(), color, size);
        return Dataset.FromBytes(pixels, files.Select(f => f.Label).ToArray(), files.Count, channels, height, width, classes);
    }
}

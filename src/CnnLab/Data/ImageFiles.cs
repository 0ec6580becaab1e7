using System.Globalization;
using SkiaSharp;
using static TorchSharp.torch;

namespace CnnLab.Data;

/// <summary>
/// Decodes PNG and JPEG files (SkiaSharp) into channel-major bytes: converted to RGB or grayscale (luminance
/// 0.299 R + 0.587 G + 0.114 B, as PIL's "L") and, when a size is given, resized with bilinear filtering, as Keras'
/// load_img(color_mode, target_size) prepares them. Alpha is dropped, as PIL's convert("RGB") does.
/// </summary>
public static class ImageFiles
{
    /// <summary>
    /// The most pixels one image file may have: 50 megapixels, a 200 MB bitmap while it is decoded. A PNG header
    /// can claim 100000x100000 in 33 bytes; the size is read from the header and checked before anything is decoded.
    /// </summary>
    public const long MaxPixels = 50_000_000;

    /// <summary>
    /// The images as an N x C x H x W float tensor scaled to [0, 1]. Without <paramref name="size"/> every image must
    /// have the size of the first one; a file that cannot be decoded is an <see cref="InvalidDataException"/> naming it.
    /// </summary>
    public static Tensor Read(IReadOnlyList<string> files, ColorMode color, (int Height, int Width)? size = null)
    {
        var (pixels, channels, height, width) = DecodeAll(files, color, size);
        using var raw = tensor(pixels, new long[] { files.Count, channels, height, width });
        return raw.to(ScalarType.Float32).div_(255f);
    }

    /// <summary>
    /// Writes image <paramref name="index"/> of <paramref name="dataset"/> (values in [0, 1]) as a PNG: one channel as
    /// grayscale, three as RGB. Reading it back with <see cref="Read"/> gives the same values to 1/255.
    /// </summary>
    public static void SavePng(Dataset dataset, int index, string path)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var (channels, height, width) = ((int)dataset.Images.shape[1], (int)dataset.Images.shape[2], (int)dataset.Images.shape[3]);
        if (channels is not (1 or 3))
        {
            throw new ArgumentException($"Only 1- or 3-channel images can be written as PNG; the dataset has {channels} channels.",
                nameof(dataset));
        }
        byte[] bytes;
        using (var scope = NewDisposeScope())
        {
            bytes = dataset.Images[index].mul(255f).round_().clamp_(0, 255).to(ScalarType.Byte).permute(1, 2,
                0).contiguous().data<byte>().ToArray();
        }
        var info = new SKImageInfo(width, height, channels == 1 ? SKColorType.Gray8 : SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        var target = bitmap.GetPixelSpan();
        for (var p = 0; p < height * width; p++)
        {
            if (channels == 1)
            {
                target[p] = bytes[p];
            }
            else
            {
                target[4 * p] = bytes[3 * p];
                target[4 * p + 1] = bytes[3 * p + 1];
                target[4 * p + 2] = bytes[3 * p + 2];
                target[4 * p + 3] = 255;
            }
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var stream = File.Create(path);
        data.SaveTo(stream);
    }

    /// <summary>The images' bytes (image-major, then channel, row, column) and their common shape.</summary>
    internal static (byte[] Pixels, int Channels, int Height, int Width) DecodeAll(IReadOnlyList<string> files, ColorMode color,
        (int Height, int Width)? size)
    {
        if (files.Count == 0)
        {
            throw new ArgumentException("No image files given; pass at least one PNG or JPEG file.", nameof(files));
        }
        var channels = color == ColorMode.Rgb ? 3 : 1;
        var (height, width) = size ?? FirstSize(files[0]);
        if (height <= 0 || width <= 0)
        {
            throw new ArgumentException($"Invalid image size ({height}, {width}). Expected strictly positive height and width.",
                nameof(size));
        }
        var total = (long)files.Count * channels * height * width;
        if (total > Array.MaxLength)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{files.Count:N0} images of {width}x{height} with {channels} channel(s) are {total:N0} bytes, more than one array holds " +
                $"({Array.MaxLength:N0}). " +
                $"Use fewer images or a smaller image size."));
        }
        var pixels = new byte[total];
        var failures = new Exception?[files.Count];
        Parallel.For(0, files.Count, i =>
        {
            try
            {
                DecodeOne(files, i, size is not null, height, width, channels, pixels);
            }
            catch (InvalidDataException e)
            {
                failures[i] = e;
            }
        });
        // Report the first bad file in the given order, whatever thread met it first.
        if (failures.FirstOrDefault(f => f is not null) is { } failure)
        {
            throw failure;
        }
        return (pixels, channels, height, width);
    }

    private static void DecodeOne(IReadOnlyList<string> files, int i, bool resize, int height, int width, int channels, byte[] pixels)
    {
        var plane = height * width;
        using var codec = OpenChecked(files[i]);
        using var bitmap = SKBitmap.Decode(codec)
            ?? throw new InvalidDataException($"{files[i]}: the image could not be decoded; expected a valid PNG or JPEG file.");
        if (!resize && (bitmap.Height != height || bitmap.Width != width))
        {
            throw new InvalidDataException(
                $"{files[i]}: image is {bitmap.Width}x{bitmap.Height} but {files[0]} is {width}x{height}. " +
                "Images of different sizes need a declared size to resize to (`imageSize`).");
        }
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var converted = bitmap.Width == width && bitmap.Height == height && bitmap.ColorType == SKColorType.Rgba8888
            && bitmap.AlphaType == SKAlphaType.Unpremul
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
        using var codec = OpenChecked(file);
        return (codec.Info.Height, codec.Info.Width);
    }

    /// <summary>A decoder for the file, whose header has been read and whose size is within <see cref="MaxPixels"/>.</summary>
    private static SKCodec OpenChecked(string file)
    {
        if (!File.Exists(file))
        {
            throw new InvalidDataException($"{file}: no such image file.");
        }
        var codec = SKCodec.Create(file)
            ?? throw new InvalidDataException($"{file}: the image could not be decoded; expected a valid PNG or JPEG file.");
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if ((long)width * height > MaxPixels || width <= 0 || height <= 0)
        {
            codec.Dispose();
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{file}: the image header claims {width}x{height} pixels ({(long)width * height:N0}), " +
                $"more than the limit of {MaxPixels:N0} (50 megapixels). " +
                $"Scale the image down before using it."));
        }
        return codec;
    }
}

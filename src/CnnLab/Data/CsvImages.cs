using System.Globalization;

namespace CnnLab.Data;

/// <summary>
/// Images in a CSV of <c>label,pixel1,...,pixelN</c> rows, as Kaggle's Fashion-MNIST CSVs: an optional
/// header, integer labels from 0, pixel values 0-255. N = height x width (grayscale, square unless a shape is
/// given) or 3 x height x width (RGB, pixels in height, width, channel order).
/// </summary>
public static class CsvImages
{
    /// <summary>Loads the file; <paramref name="classNames"/> defaults to "0".."K-1" for K = the largest label + 1.</summary>
    public static Dataset Load(string path, (int Height, int Width, int Channels)? shape = null, IReadOnlyList<string>? classNames = null)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"CSV file \"{path}\" does not exist. Expected rows of label,pixel1,...,pixelN.");
        }
        var labels = new List<byte>();
        var pixels = new List<byte>();
        var columns = -1;
        var row = 0;
        foreach (var line in File.ReadLines(path))
        {
            row++;
            if (line.Length == 0)
            {
                continue;
            }
            var fields = line.Split(',');
            if (row == 1 && !int.TryParse(fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
            {
                columns = fields.Length;
                continue;
            }
            if (columns < 0)
            {
                columns = fields.Length;
            }
            if (fields.Length != columns)
            {
                throw new InvalidDataException($"{path}: row {row} has {fields.Length} columns; expected {columns} (a label and {columns - 1} pixels).");
            }
            for (var c = 0; c < fields.Length; c++)
            {
                if (!int.TryParse(fields[c], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < 0 || value > 255)
                {
                    throw new InvalidDataException(
                        $"{path}: row {row}, column {c + 1} is \"{fields[c]}\"; expected an integer {(c == 0 ? "label from 0" : "pixel value from 0 to 255")}.");
                }
                (c == 0 ? labels : pixels).Add((byte)value);
            }
        }
        if (labels.Count == 0)
        {
            throw new InvalidDataException($"{path}: no data rows. Expected rows of label,pixel1,...,pixelN.");
        }
        var (height, width, channels) = shape ?? InferShape(path, columns - 1);
        if (height * width * channels != columns - 1)
        {
            throw new InvalidDataException($"{path}: rows have {columns - 1} pixels but the declared shape ({height}, {width}, {channels}) needs {height * width * channels}.");
        }
        var count = labels.Count;
        var classCount = labels.Max() + 1;
        var names = classNames ?? Enumerable.Range(0, classCount).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();
        var badLabel = labels.FindIndex(l => l >= names.Count);
        if (badLabel >= 0)
        {
            throw new InvalidDataException($"{path}: label {labels[badLabel]} of data row {badLabel + 1} is outside the {names.Count} classes [0, {names.Count}).");
        }
        var planar = ToPlanar(pixels, count, height, width, channels);
        return Dataset.FromBytes(planar, labels.ToArray(), count, channels, height, width, names);
    }

    private static (int, int, int) InferShape(string path, int values)
    {
        var side = (int)Math.Round(Math.Sqrt(values));
        if (side * side == values)
        {
            return (side, side, 1);
        }
        var rgbSide = (int)Math.Round(Math.Sqrt(values / 3.0));
        if (3 * rgbSide * rgbSide == values)
        {
            return (rgbSide, rgbSide, 3);
        }
        throw new InvalidDataException($"{path}: rows have {values} pixels, which is not a square image (N x N) or an RGB one (N x N x 3). Declare the shape.");
    }

    private static byte[] ToPlanar(List<byte> interleaved, int count, int height, int width, int channels)
    {
        var source = interleaved.ToArray();
        if (channels == 1)
        {
            return source;
        }
        var plane = height * width;
        var planar = new byte[source.Length];
        for (var n = 0; n < count; n++)
        {
            var offset = n * plane * channels;
            for (var p = 0; p < plane; p++)
            {
                for (var c = 0; c < channels; c++)
                {
                    planar[offset + c * plane + p] = source[offset + p * channels + c];
                }
            }
        }
        return planar;
    }
}

using System.Globalization;

namespace CnnLab.Data;

/// <summary>
/// Images in a CSV of <c>label,pixel1,...,pixelN</c> rows, as Kaggle's Fashion-MNIST CSVs: an optional
/// header, integer labels from 0, pixel values 0-255. N = height x width (grayscale, square unless a shape is
/// given) or 3 x height x width (RGB, pixels in height, width, channel order). The file is streamed field by field
/// and bounded (<see cref="MaxPixelsPerRow"/>, <see cref="MaxPixels"/>, <see cref="CsvFieldReader.MaxFieldLength"/>
/// characters a field), so a hostile file is refused at the row that breaks a bound, before memory is spent on it.
/// </summary>
public static class CsvImages
{
    /// <summary>Most pixel values in one row: an RGB image of 512 x 512 (786,432).</summary>
    public const int MaxPixelsPerRow = 3 * 512 * 512;

    /// <summary>Most pixel values in one file: 2^30, 1 GiB as bytes and 4 GiB as the float32 images.</summary>
    public const long MaxPixels = 1L << 30;

    /// <summary>
    /// Loads the file. <paramref name="classNames"/> defaults to "0".."K-1" for K = the largest label + 1, and then every
    /// label from 0 to K-1 must occur: a stray label would otherwise make empty classes. The rows are shuffled with
    /// <see cref="DataShuffle.DefaultSeed"/> unless <paramref name="shuffle"/> says otherwise.
    /// </summary>
    public static Dataset Load(string path, (int Height, int Width, int Channels)? shape = null, IReadOnlyList<string>? classNames = null,
        DataShuffle? shuffle = null) => Load(path, shape, classNames, shuffle, MaxPixels);

    /// <summary><see cref="Load(string, ValueTuple{int, int, int}?, IReadOnlyList{string}?, DataShuffle?)"/>
    /// with another bound on the pixel values, for tests.</summary>
    internal static Dataset Load(string path, (int Height, int Width, int Channels)? shape, IReadOnlyList<string>? classNames,
        DataShuffle? shuffle, long maxPixels)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"CSV file \"{path}\" does not exist. Expected rows of label,pixel1,...,pixelN.");
        }
        var (labels, pixels, firstRows, values) = Read(path, classNames, maxPixels);
        var (height, width, channels) = shape ?? InferShape(path, values);
        if ((long)height * width * channels != values)
        {
            throw new InvalidDataException($"{path}: rows have {values} pixels but the declared shape ({height}, {width}, {channels}) " +
                $"needs {height * width * channels}.");
        }
        var names = classNames ?? ClassNamesOf(path, labels, firstRows);
        var order = (shuffle ?? DataShuffle.Default).Order(labels.Count);
        var ordered = order.Select(i => labels[i]).ToArray();
        return Dataset.FromBytes(ToPlanar(pixels, order, height, width, channels), ordered, labels.Count, channels, height, width, names);
    }

    /// <summary>The labels, the pixel bytes (row-major, maybe longer than needed),
    /// the row of each label's first use, and the pixels per row.</summary>
    private static (List<byte> Labels, byte[] Pixels, int[] FirstRows, int Values) Read(string path, IReadOnlyList<string>? classNames,
        long maxPixels)
    {
        var labels = new List<byte>();
        var pixels = Array.Empty<byte>();
        var firstRows = new int[256];
        var columns = -1;
        var header = false;
        var row = new List<byte>();
        var maxLabel = classNames is null ? byte.MaxValue : Math.Min(byte.MaxValue, classNames.Count - 1);
        using var reader = new CsvFieldReader(path);
        void Field(int column, ReadOnlySpan<char> text)
        {
            if (column == 0)
            {
                row.Clear();
                header = reader.Line == 1 && !int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _);
            }
            if (column >= (columns < 0 ? MaxPixelsPerRow + 1 : columns))
            {
                throw new InvalidDataException(columns < 0
                    ? string.Create(CultureInfo.InvariantCulture,
                        $"{path}: row {reader.Line} has more than {MaxPixelsPerRow + 1:N0} columns; a row holds a label and at most " +
                        $"{MaxPixelsPerRow:N0} pixels (a 512 x 512 RGB image).")
                    : $"{path}: row {reader.Line} has more than {columns} columns; expected {columns} (a label and {columns - 1} pixels).");
            }
            if (header)
            {
                return;
            }
            var limit = column == 0 ? maxLabel : byte.MaxValue;
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < 0 || value > limit)
            {
                throw new InvalidDataException(
                    $"{path}: row {reader.Line}, column {column + 1} is \"{text}\"; " +
                    $"expected an integer {(column == 0 ? $"label from 0 to {limit}" : "pixel value from 0 to 255")}.");
            }
            row.Add((byte)value);
        }
        var used = 0L;
        int count;
        while ((count = reader.ReadLine(Field)) >= 0)
        {
            if (count == 0)
            {
                continue;
            }
            if (columns < 0)
            {
                columns = count;
            }
            if (count != columns)
            {
                throw new InvalidDataException($"{path}: row {reader.Line} has {count} columns; expected {columns} (a label and " +
                    $"{columns - 1} pixels).");
            }
            if (header)
            {
                continue;
            }
            if (used + columns - 1 > maxPixels)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"{path}: row {reader.Line} takes the file past {maxPixels:N0} pixel values, the most one CSV file may hold " +
                    $"({labels.Count:N0} rows of {columns - 1:N0} pixels so far). Split the file, or use a folder of images."));
            }
            if (used + columns - 1 > pixels.Length)
            {
                // Doubling keeps appends linear; the cap keeps a file that stops just under the bound from doubling past it.
                Array.Resize(ref pixels, (int)Math.Min(maxPixels, Math.Max(used + columns - 1, 2L * pixels.Length)));
            }
            row.CopyTo(1, pixels, (int)used, columns - 1);
            used += columns - 1;
            var label = row[0];
            labels.Add(label);
            if (firstRows[label] == 0)
            {
                firstRows[label] = reader.Line;
            }
        }
        if (labels.Count == 0)
        {
            throw new InvalidDataException($"{path}: no data rows. Expected rows of label,pixel1,...,pixelN.");
        }
        return (labels, pixels, firstRows, columns - 1);
    }

    /// <summary>"0".."K-1" for K = the largest label + 1, refusing labels that leave a class without samples.</summary>
    private static IReadOnlyList<string> ClassNamesOf(string path, List<byte> labels, int[] firstRows)
    {
        var largest = Array.FindLastIndex(firstRows, r => r > 0);
        var missing = Enumerable.Range(0, largest + 1).Where(l => firstRows[l] == 0).ToList();
        if (missing.Count > 0)
        {
            var seen = Enumerable.Range(0, largest + 1).Where(l => firstRows[l] > 0).ToList();
            throw new InvalidDataException(
                $"{path}: labels {Ranges(seen)} leave {missing.Count} of {largest + 1} classes without samples ({Ranges(missing)}); " +
                $"the largest label, {largest}, first appears on row {firstRows[largest]}. Labels must number the classes from 0 with " +
                $"none skipped: " +
                "correct the stray labels, or pass class names (CsvImages.Load(path, classNames: ...)) to declare empty classes.");
        }
        return Enumerable.Range(0, largest + 1).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();
    }

    /// <summary>Sorted integers as runs: 0, 1, 2, 3, 7 gives "0-3, 7".</summary>
    private static string Ranges(IReadOnlyList<int> sorted)
    {
        var parts = new List<string>();
        for (var start = 0; start < sorted.Count;)
        {
            var end = start;
            while (end + 1 < sorted.Count && sorted[end + 1] == sorted[end] + 1)
            {
                end++;
            }
            parts.Add(end == start ? $"{sorted[start]}" : $"{sorted[start]}-{sorted[end]}");
            start = end + 1;
        }
        return string.Join(", ", parts);
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
        throw new InvalidDataException($"{path}: rows have {values} pixels, which is not a square image (N x N) " +
            $"or an RGB one (N x N x 3). Declare the shape.");
    }

    /// <summary>Rows taken in <paramref name="order"/>, each from height, width, channel order to channel planes.</summary>
    private static byte[] ToPlanar(byte[] interleaved, int[] order, int height, int width, int channels)
    {
        var plane = height * width;
        var size = plane * channels;
        var planar = new byte[(long)order.Length * size];
        for (var n = 0; n < order.Length; n++)
        {
            var source = (long)order[n] * size;
            var target = (long)n * size;
            if (channels == 1)
            {
                Array.Copy(interleaved, source, planar, target, size);
                continue;
            }
            for (var p = 0; p < plane; p++)
            {
                for (var c = 0; c < channels; c++)
                {
                    planar[target + c * plane + p] = interleaved[source + p * channels + c];
                }
            }
        }
        return planar;
    }
}

using static TorchSharp.torch;

namespace CnnLab.Data;

/// <summary>
/// Reads CIFAR-10's binary version: each record is one label byte then 3,072 pixel bytes, the red, green
/// and blue 32x32 planes in turn, which is already the N x 3 x 32 x 32 layout.
/// </summary>
public static class Cifar10Reader
{
    private const int RecordSize = 1 + 3 * 32 * 32;

    /// <summary>The six batch files.</summary>
    public static readonly IReadOnlyList<string> FileNames = new[]
    {
        "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin",
    };

    /// <summary>The folder (given, or its cifar-10-batches-bin child) holding all six files, or null.</summary>
    public static string? FindFolder(string folder)
    {
        foreach (var candidate in new[] { folder, Path.Combine(folder, "cifar-10-batches-bin") })
        {
            if (FileNames.All(f => File.Exists(Path.Combine(candidate, f))))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>Loads the 50,000 training and 10,000 test images, scaled to [0, 1].</summary>
    public static DataSplits Load(string folder, IReadOnlyList<string> classNames, string source)
    {
        var directory = FindFolder(folder) ?? throw new FileNotFoundException(
            $"\"{folder}\" does not hold the CIFAR-10 binary files {string.Join(", ", FileNames)}.");
        var train = Read(FileNames.Take(5).Select(f => Path.Combine(directory, f)).ToList(), classNames);
        var test = Read(new[] { Path.Combine(directory, "test_batch.bin") }, classNames);
        return new DataSplits("cifar10", train, test, source);
    }

    /// <summary>Reads and concatenates batch files.</summary>
    public static Dataset Read(IReadOnlyList<string> paths, IReadOnlyList<string> classNames)
    {
        var blobs = new List<byte[]>();
        foreach (var path in paths)
        {
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length == 0 || bytes.Length % RecordSize != 0)
            {
                throw new InvalidDataException(
                    $"{path}: {bytes.Length} bytes is not a whole number of CIFAR-10 records of {RecordSize} bytes (1 label + 3,072 " +
                    $"pixels); the file is truncated or not a CIFAR-10 batch.");
            }
            blobs.Add(bytes);
        }
        var count = blobs.Sum(b => b.Length / RecordSize);
        var pixels = new byte[count * (RecordSize - 1)];
        var labels = new byte[count];
        var n = 0;
        for (var f = 0; f < blobs.Count; f++)
        {
            var bytes = blobs[f];
            for (var offset = 0; offset < bytes.Length; offset += RecordSize, n++)
            {
                if (bytes[offset] >= classNames.Count)
                {
                    throw new InvalidDataException(
                        $"{paths[f]}: label {bytes[offset]} of record {offset / RecordSize} is outside the {classNames.Count} classes " +
                        $"[0, {classNames.Count}).");
                }
                labels[n] = bytes[offset];
                Buffer.BlockCopy(bytes, offset + 1, pixels, n * (RecordSize - 1), RecordSize - 1);
            }
        }
        return Dataset.FromBytes(pixels, labels, count, 3, 32, 32, classNames);
    }
}

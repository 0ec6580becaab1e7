using static TorchSharp.torch;

namespace CnnLab.Data;

/// <summary>One split of an MNIST-layout folder: PREFIX-images-idx3-ubyte[.gz] and PREFIX-labels-idx1-ubyte[.gz].</summary>
public static class IdxDataset
{
    /// <summary>Loads a split, checking headers, counts and label range; pixels are scaled to [0, 1].</summary>
    public static Dataset Load(string folder, string prefix, IReadOnlyList<string> classNames)
    {
        var imagesPath = Find(folder, $"{prefix}-images-idx3-ubyte");
        var labelsPath = Find(folder, $"{prefix}-labels-idx1-ubyte");
        var (dims, pixels) = IdxFile.Read(imagesPath, 3);
        var (labelDims, labels) = IdxFile.Read(labelsPath, 1);
        if (dims[0] != labelDims[0])
        {
            throw new InvalidDataException(
                $"{imagesPath} holds {dims[0]} images but {labelsPath} holds {labelDims[0]} labels; the counts must agree.");
        }
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= classNames.Count)
            {
                throw new InvalidDataException(
                    $"{labelsPath}: label {labels[i]} at index {i} is outside the {classNames.Count} classes [0, {classNames.Count}).");
            }
        }
        return Dataset.FromBytes(pixels, labels, dims[0], 1, dims[1], dims[2], classNames);
    }

    private static string Find(string folder, string stem)
    {
        foreach (var candidate in new[] { stem + ".gz", stem })
        {
            var path = Path.Combine(folder, candidate);
            if (File.Exists(path))
            {
                return path;
            }
        }
        throw new FileNotFoundException(
            $"\"{folder}\" has no {stem}.gz (or uncompressed {stem}). An MNIST-layout folder needs the four IDX files " +
            "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte.");
    }
}

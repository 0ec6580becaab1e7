using static TorchSharp.torch;

namespace CnnLab.Data;

/// <summary>
/// Fashion-MNIST (Zalando): 60,000 training and 10,000 test 28x28 grayscale images of 10 clothing classes,
/// read from the four IDX files, scaled to [0, 1].
/// </summary>
public static class FashionMnist
{
    /// <summary>Where Debian's package dataset-fashion-mnist installs the files.</summary>
    public const string DebianFolder = "/usr/share/datasets/fashion-mnist";

    /// <summary>The class names in label order, as the notebook names them.</summary>
    public static readonly IReadOnlyList<string> ClassNames = new[]
    {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    };

    /// <summary>Loads the training and test splits from a folder holding the IDX files (gzip or raw).</summary>
    public static (Dataset Train, Dataset Test) Load(string? folder = null)
    {
        var directory = folder ?? DebianFolder;
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException(
                $"Fashion-MNIST folder \"{directory}\" does not exist. Install the data with `sudo apt-get install dataset-fashion-mnist` " +
                "(files in /usr/share/datasets/fashion-mnist) or pass --data-dir with a folder holding train-images-idx3-ubyte.gz, " +
                "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz.");
        }
        var train = IdxDataset.Load(directory, "train", ClassNames);
        var test = IdxDataset.Load(directory, "t10k", ClassNames);
        return (train, test);
    }
}

namespace CnnLab.Data;

/// <summary>
/// A dataset CnnLab knows by name: its class names, the files that make it, where a system may already
/// have them, and where to download them from.
/// </summary>
public sealed record KnownDataset(
    string Name,
    string Title,
    DatasetFormat Format,
    IReadOnlyList<string> ClassNames,
    IReadOnlyList<RemoteFile> Files,
    IReadOnlyList<string> SystemFolders,
    string InstallHint)
{
    /// <summary>The name <c>keras.datasets</c> gives it (fashion_mnist,
    /// mnist, cifar10), accepted as well; null when Keras has none.</summary>
    public string? KerasName { get; init; }

    /// <summary>Each image's shape, known without reading the files: 28x28x1 for the IDX datasets, 32x32x3 for CIFAR-10.</summary>
    public CnnLab.Core.Shape InputShape => Format == DatasetFormat.Idx ? CnnLab.Core.Shape.Image(28, 28, 1)
        : CnnLab.Core.Shape.Image(32, 32, 3);

    /// <summary>The files a folder must hold for this dataset (after any archive is unpacked).</summary>
    public IReadOnlyList<string> RequiredFiles => Format == DatasetFormat.Idx
        ? Files.Select(f => f.FileName).ToList()
        : Cifar10Reader.FileNames;
}

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
    /// <summary>The name <c>keras.datasets</c> gives it (fashion_mnist, mnist, cifar10), accepted as well; null when Keras has none.</summary>
    public string? KerasName { get; init; }

    /// <summary>The files a folder must hold for this dataset (after any archive is unpacked).</summary>
    public IReadOnlyList<string> RequiredFiles => Format == DatasetFormat.Idx
        ? Files.Select(f => f.FileName).ToList()
        : Cifar10Reader.FileNames;
}

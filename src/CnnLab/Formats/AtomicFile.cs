namespace CnnLab.Formats;

/// <summary>
/// Writes files whole or not at all: into a temporary file beside the target, then renamed over it. Because the
/// rename replaces whatever the name pointed to, only regular files are written this way: a device such as
/// /dev/full, a FIFO or a folder is refused before anything is written (renaming over /dev/full as root replaced
/// the device node with a plain file). A symbolic link is followed on purpose: the file it finally points to is
/// replaced and the link is kept, as a shell's <c>&gt;</c> or an editor's save would leave it.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes bytes atomically.</summary>
    public static void Write(string path, byte[] bytes) => Write(path, stream => stream.Write(bytes));

    /// <summary>Writes text (UTF-8) atomically.</summary>
    public static void WriteText(string path, string text) => Write(path, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Writes what <paramref name="write"/> puts in the stream
    /// atomically to <see cref="Target"/> of <paramref name="path"/>.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var target = Target(path);
        var folder = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(stream);
            }
            // A replaced file keeps its permissions; a new one gets the usual ones.
            if (!OperatingSystem.IsWindows() && File.Exists(target))
            {
                File.SetUnixFileMode(temporary, File.GetUnixFileMode(target));
            }
            File.Move(temporary, target, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>
    /// The full path a write to <paramref name="path"/> replaces: the path itself, or the final target of a symbolic
    /// link. Throws an <see cref="IOException"/> naming the path when that is something other than a regular file or
    /// nothing, so a command can check where it will save before it spends hours training.
    /// </summary>
    public static string Target(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var link = new FileInfo(full);
        var target = link.LinkTarget is null ? full : link.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
        var kind = FileKinds.Of(target);
        if (kind is not (FileKind.Missing or FileKind.Regular))
        {
            var what = target == full ? path : $"{path} (a symbolic link to {target})";
            throw new IOException(
                $"{what} is {FileKinds.Describe(kind)}, not a regular file. Saving writes a new file and renames it over the target, " +
                "which would replace it; give the path of a regular file to create or overwrite.");
        }
        return target;
    }
}

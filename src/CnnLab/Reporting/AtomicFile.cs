namespace CnnLab.Reporting;

/// <summary>Writes files whole or not at all: into a temporary file beside the target, then renamed over it.</summary>
public static class AtomicFile
{
    /// <summary>Writes bytes atomically.</summary>
    public static void Write(string path, byte[] bytes)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>Writes text (UTF-8) atomically.</summary>
    public static void WriteText(string path, string text) => Write(path, System.Text.Encoding.UTF8.GetBytes(text));
}

namespace CnnLab.Dashboard;

/// <summary>
/// Which files a request may read: a relative path inside a results folder, without "..", absolute or rooted parts,
/// NUL, or any link on the way (a symbolic link could lead out of the folder), to a plain file that exists.
/// Everything else is "not found", so a probe learns nothing about what exists outside.
/// </summary>
public static class SafePaths
{
    /// <summary>The full path of <paramref name="relative"/> (as decoded from the URL) inside <paramref name="folder"/>, or null.</summary>
    public static string? Resolve(string folder, string? relative)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (string.IsNullOrEmpty(relative) || relative.Length > 1024 || relative.Contains('\0') || relative.Contains('\\')
            || Path.IsPathRooted(relative))
        {
            return null;
        }
        var parts = relative.Split('/');
        if (parts.Any(p => p is "" or "." or ".."))
        {
            return null;
        }
        var current = Path.GetFullPath(folder);
        foreach (var part in parts)
        {
            current = Path.Combine(current, part);
            var info = new FileInfo(current);
            if (info.LinkTarget is not null || new DirectoryInfo(current).LinkTarget is not null)
            {
                return null;
            }
        }
        var full = Path.GetFullPath(current);
        return full.StartsWith(Path.GetFullPath(folder) + Path.DirectorySeparatorChar, StringComparison.Ordinal) && File.Exists(full)
            ? full
            : null;
    }
}

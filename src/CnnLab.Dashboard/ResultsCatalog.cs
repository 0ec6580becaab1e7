using CnnLab.Studies.Experiments;

namespace CnnLab.Dashboard;

/// <summary>One results folder the dashboard shows: a study's or a search's (it has study.json).</summary>
/// <param name="Id">Its id in URLs: its index in the catalog.</param>
/// <param name="Folder">The folder's full path.</param>
/// <param name="Root">The served folder it was found under (files are served only from inside it).</param>
public sealed record ResultsEntry(int Id, string Folder, string Root);

/// <summary>
/// The results folders under the served folders: each served folder itself when it holds study.json, else its
/// subfolders that do, up to <see cref="MaxDepth"/> levels (runs/&lt;study&gt;/&lt;timestamp&gt;), at most
/// <see cref="MaxEntries"/>. Found again on each request, so a study started after the dashboard appears.
/// </summary>
public sealed class ResultsCatalog(IReadOnlyList<string> roots)
{
    /// <summary>How deep under a served folder results folders are looked for.</summary>
    public const int MaxDepth = 3;

    /// <summary>The most results folders listed.</summary>
    public const int MaxEntries = 1_000;

    /// <summary>The served folders, as full paths.</summary>
    public IReadOnlyList<string> Roots { get; } = roots.Select(r => Path.GetFullPath(r).TrimEnd(Path.DirectorySeparatorChar)).ToList();

    /// <summary>The results folders now, in a stable order (by served folder, then path).</summary>
    public IReadOnlyList<ResultsEntry> Entries()
    {
        var found = new List<(string Folder, string Root)>();
        foreach (var root in Roots)
        {
            Walk(root, root, 0, found);
        }
        return found.Take(MaxEntries).Select((f, i) => new ResultsEntry(i, f.Folder, f.Root)).ToList();
    }

    /// <summary>The entry with <paramref name="id"/>, or null.</summary>
    public ResultsEntry? Find(int id) => Entries().FirstOrDefault(e => e.Id == id);

    private static void Walk(string folder, string root, int depth, List<(string, string)> found)
    {
        if (found.Count >= MaxEntries || !Directory.Exists(folder))
        {
            return;
        }
        if (File.Exists(Path.Combine(folder, ResultsFolder.StudyRecord)))
        {
            found.Add((folder, root));
            return;
        }
        if (depth >= MaxDepth)
        {
            return;
        }
        IEnumerable<string> children;
        try
        {
            // Links are not followed: a folder served is what is under it on disk.
            children = new DirectoryInfo(folder).EnumerateDirectories()
                .Where(d => d.LinkTarget is null && !d.Name.StartsWith('.'))
                .Select(d => d.FullName).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }
        foreach (var child in children)
        {
            Walk(child, root, depth + 1, found);
        }
    }
}

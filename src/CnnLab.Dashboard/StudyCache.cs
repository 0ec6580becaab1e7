using System.Collections.Concurrent;
using CnnLab.Studies.Experiments;

namespace CnnLab.Dashboard;

/// <summary>
/// A results folder's study, parsed once per version of its study.json and study.yaml (by size and write time): a page
/// polling every 2 s would otherwise parse the YAML and the recorded study on every request, CPU taken from the
/// training it watches.
/// </summary>
internal static class StudyCache
{
    private static readonly ConcurrentDictionary<string, (string Stamp, StudyDefinition Study)> Studies = new(StringComparer.Ordinal);

    /// <summary>The study of <paramref name="folder"/> (<see cref="StudyFolder.ReadStudy"/>), from the cache while its files
    /// are unchanged.</summary>
    public static StudyDefinition Read(string folder)
    {
        var stamp = Stamp(Path.Combine(folder, ResultsFolder.StudyRecord)) + "|" + Stamp(Path.Combine(folder, ResultsFolder.StudyCopy));
        if (Studies.TryGetValue(folder, out var cached) && cached.Stamp == stamp)
        {
            return cached.Study;
        }
        var study = StudyFolder.ReadStudy(folder);
        Studies[folder] = (stamp, study);
        return study;
    }

    private static string Stamp(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? $"{info.Length}:{info.LastWriteTimeUtc.Ticks}" : "missing";
    }
}

namespace CnnLab.Studies.Experiments;

/// <summary>Study files on disk: read once, within the size a study file may have.</summary>
public static partial class StudyParser
{
    /// <summary>Parses a file.</summary>
    public static StudyDefinition ParseFile(string path) => Parse(ReadFile(path), path);

    /// <summary>
    /// A study file's text, after checking that it exists and is not too large to be one: what <see cref="Parse"/>
    /// reads, and what a results folder keeps a copy of (read once, so the copy is what was parsed).
    /// </summary>
    public static string ReadFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new StudyFileException($"Study file \"{path}\" does not exist.");
        }
        CnnLab.Formats.FileKinds.RequireRegularFile(path, "a study file (.yaml)");
        var length = new FileInfo(path).Length;
        if (length > MaxFileBytes)
        {
            throw new StudyFileException($"Study file \"{path}\" is {length:N0} bytes, more than the {MaxFileBytes:N0} a study file may " +
                $"have. Is it the right file?");
        }
        return File.ReadAllText(path);
    }
}

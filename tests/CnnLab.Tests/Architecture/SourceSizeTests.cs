namespace CnnLab.Tests.Architecture;

/// <summary>
/// Files a person can read: no source file over 400 lines, the training loop under 200, no line over 140 characters
/// (src/, tests/, bench/, samples/). The failure lists each file and line to split.
/// </summary>
public sealed class SourceSizeTests
{
    private static readonly string Root = TestSupport.RepositoryRoot();

    private static IEnumerable<string> SourceFiles(params string[] folders) => folders
        .Select(f => Path.Combine(Root, f))
        .Where(Directory.Exists)
        .SelectMany(f => Directory.EnumerateFiles(f, "*.cs", SearchOption.AllDirectories))
        .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"));

    [Fact]
    public void No_source_file_is_over_400_lines()
    {
        var tooLong = SourceFiles("src").Select(f => (File: Path.GetRelativePath(Root, f), Lines: File.ReadLines(f).Count()))
            .Where(f => f.Lines > 400).Select(f => $"{f.File}: {f.Lines} lines").ToList();

        Assert.True(tooLong.Count == 0, "Split these into files of one concept each:\n" + string.Join("\n", tooLong));
    }

    [Fact]
    public void The_training_loop_is_under_200_lines()
    {
        var lines = File.ReadLines(Path.Combine(Root, "src", "CnnLab", "Training", "Trainer.cs")).Count();

        Assert.True(lines < 200, $"Trainer.cs has {lines} lines; make what is optional a callback or a step of its own.");
    }

    [Fact]
    public void No_line_is_over_140_characters()
    {
        var wide = SourceFiles("src", "tests", "bench", "samples")
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetRelativePath(Root, f), Line: i + 1, line.Length)))
            .Where(l => l.Length > 140).Select(l => $"{l.File}:{l.Line}: {l.Length} characters").ToList();

        Assert.True(wide.Count == 0, "Wrap these lines:\n" + string.Join("\n", wide));
    }
}

using System.Diagnostics;
using System.Text;
using CnnLab.Studies.Experiments;

namespace CnnLab.Tests.Studies.Experiments;

/// <summary>
/// Bounded random mutations of the project's own study files: every outcome is a parsed study or a
/// <see cref="StudyFileException"/>, never another exception, a crash or a hang.
/// </summary>
public class StudyParserFuzzTests
{
    private const int MutationsPerFile = 400;
    private static readonly string[] Fragments =
    {
        "[", "]", "{", "}", ":", ": ", "- ", "&a ", "*a", "*b", "!!int ", "!!map ", "? ", "|", ">", "'", "\"", "#", ",", "\n", "\n  ", "  ",
        "\t", "0", "-1", "1e999", "NaN", ".inf", "99999999999", "2147483648", "null", "~", "true", "[[50000, 50000]]", "\u0000", "\uFEFF",
        "é",
    };

    public static TheoryData<string> StudyFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(TestSupport.RepositoryRoot(), "experiments"),
            "*.yaml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(StudyFiles))]
    public void Mutated_study_files_parse_or_fail_with_the_parsers_own_error(string name)
    {
        var original = File.ReadAllText(Path.Combine(TestSupport.RepositoryRoot(), "experiments", name));
        // A seed from the name's characters: string.GetHashCode differs per process, so a failure could not be replayed.
        var random = new Random(name.Aggregate(13, (hash, c) => unchecked(hash * 31 + c)) & 0x7fffffff);
        int parsed = 0, refused = 0;
        for (var i = 0; i < MutationsPerFile; i++)
        {
            var mutated = Mutate(original, random);
            var clock = Stopwatch.StartNew();
            try
            {
                StudyParser.Parse(mutated, name);
                parsed++;
            }
            catch (StudyFileException)
            {
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"mutation {i} of {name} threw {e}\n--- input ---\n{mutated}");
            }
            // A hang guard, not a speed test: one parse takes milliseconds; an input that multiplies out (aliases of
            // aliases, a vast grid) would take minutes. 10 s is 50x the mean parse (0.18 s) on a machine starved by training.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"mutation {i} of {name} took {clock.Elapsed} to parse:\n{mutated}");
        }
        Assert.Equal(MutationsPerFile, parsed + refused);
        Assert.True(refused > 0, "no mutation was refused: the mutations do not reach the parser's checks");
    }

    /// <summary>One to four edits: a fragment inserted, a span deleted or
    /// replaced, a line doubled or moved, a number enlarged, a cut.</summary>
    private static string Mutate(string text, Random random)
    {
        var s = new StringBuilder(text);
        for (var edits = random.Next(1, 5); edits > 0; edits--)
        {
            var at = random.Next(s.Length + 1);
            switch (random.Next(6))
            {
                case 0:
                    s.Insert(at, Fragments[random.Next(Fragments.Length)]);
                    break;
                case 1:
                    s.Remove(Math.Min(at, s.Length), Math.Min(random.Next(1, 12), s.Length - Math.Min(at, s.Length)));
                    break;
                case 2:
                    var lines = s.ToString().Split('\n').ToList();
                    var line = lines[random.Next(lines.Count)];
                    lines.Insert(random.Next(lines.Count + 1), line);
                    s = new StringBuilder(string.Join('\n', lines));
                    break;
                case 3:
                    var digit = s.ToString().IndexOfAny("0123456789".ToCharArray(), Math.Min(at, s.Length));
                    if (digit >= 0)
                    {
                        s.Insert(digit, random.Next(2) == 0 ? "9999999" : "-");
                    }
                    break;
                case 4:
                    s.Length = Math.Min(at, s.Length);
                    break;
                default:
                    s.Insert(at, string.Concat(Enumerable.Repeat(random.Next(2) == 0 ? "[" : "- ", random.Next(1, 100))));
                    break;
            }
        }
        return s.ToString();
    }
}

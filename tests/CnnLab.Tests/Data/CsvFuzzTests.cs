using System.Text;
using CnnLab.Data;

namespace CnnLab.Tests.Data;

/// <summary>Bounded random mutations of a small valid CSV: each loads or is an
/// InvalidDataException naming the file, never another exception or a hang.</summary>
public sealed class CsvFuzzTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cnnlab-csv-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    [Fact]
    public void Mutated_csv_files_load_or_fail_with_a_clear_error()
    {
        var valid = new StringBuilder("label,p1,p2,p3,p4\n");
        for (var row = 0; row < 12; row++)
        {
            valid.Append($"{row % 3},{row},{row * 7 % 256},0,255\n");
        }
        string[] fragments = { ",", "\n", "\r\n", "\"", "-1", "256", "1e9", "NaN", "99999999999999999999", " ", "\u0000", "é", ",,,,",
            "x" };
        var random = new Random(2026);
        var path = Path.Combine(_folder, "fuzz.csv");
        int loaded = 0, refused = 0;
        for (var i = 0; i < 300; i++)
        {
            var text = new StringBuilder(valid.ToString());
            for (var edits = random.Next(1, 4); edits > 0; edits--)
            {
                var at = random.Next(text.Length + 1);
                switch (random.Next(3))
                {
                    case 0:
                        text.Insert(at, fragments[random.Next(fragments.Length)]);
                        break;
                    case 1:
                        text.Remove(Math.Min(at, text.Length), Math.Min(random.Next(1, 6), text.Length - Math.Min(at, text.Length)));
                        break;
                    default:
                        text.Length = Math.Min(at, text.Length);
                        break;
                }
            }
            File.WriteAllText(path, text.ToString());
            try
            {
                using var data = CsvImages.Load(path, shape: (2, 2, 1));
                loaded++;
            }
            catch (InvalidDataException e)
            {
                Assert.Contains(path, e.Message, StringComparison.Ordinal);
                Assert.DoesNotContain('\n', e.Message.TrimEnd());
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"mutation {i} threw {e}\n--- input ---\n{text}");
            }
        }
        Assert.True(loaded > 0 && refused > 0, $"loaded {loaded}, refused {refused}: the mutations should reach both outcomes");
    }
}

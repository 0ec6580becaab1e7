using System.Text;
using System.Text.Json.Nodes;
using CnnLab.Studies.Search;

namespace CnnLab.Tests.Studies.Search;

public sealed class SearchJournalTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "cnnlab-journal-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public void Records_appended_read_back_in_order_one_line_each()
    {
        var journal = new SearchJournal(_folder);

        journal.Append(new JsonObject { ["type"] = "trial", ["trial"] = 0, ["drawn"] = new JsonObject { ["lr"] = 0.01 } });
        journal.Append(new JsonObject { ["type"] = "result", ["trial"] = 0, ["rung"] = 0, ["seed"] = 1, ["score"] = 0.5 });

        Assert.Equal(new[] { "trial", "result" }, journal.Read().Select(r => r["type"]!.GetValue<string>()));
        Assert.Equal(2, File.ReadAllText(journal.Path).Count(c => c == '\n'));
    }

    [Fact]
    public void A_torn_last_line_from_a_killed_writer_is_dropped_and_cut_off_by_the_next_append()
    {
        var journal = new SearchJournal(_folder);
        journal.Append(new JsonObject { ["type"] = "trial", ["trial"] = 0, ["drawn"] = new JsonObject() });
        File.AppendAllText(journal.Path, "{\"type\":\"result\",\"tri");

        Assert.Single(journal.Read());
        journal.Append(new JsonObject { ["type"] = "trial", ["trial"] = 1, ["drawn"] = new JsonObject() });

        Assert.Equal(new[] { 0, 1 }, journal.Read().Select(r => r["trial"]!.GetValue<int>()));
        Assert.DoesNotContain("\"tri{", File.ReadAllText(journal.Path), StringComparison.Ordinal);
    }

    [Fact]
    public void Workers_appending_at_once_lose_no_record_and_never_interleave_lines()
    {
        var journal = new SearchJournal(_folder);

        Parallel.For(0, 8, worker =>
        {
            for (var i = 0; i < 25; i++)
            {
                // Read-decide-append as a worker does: the number each takes depends on every record before it.
                journal.Transact(records => new[] { new JsonObject { ["type"] = "claim", ["n"] = records.Count, ["worker"] = worker } });
            }
        });

        var numbers = journal.Read().Select(r => r["n"]!.GetValue<int>()).ToList();
        Assert.Equal(Enumerable.Range(0, 200), numbers);
    }

    [Theory]
    [InlineData("[1,2]\n", "journal.jsonl, line 1: a record must be a JSON object.")]
    [InlineData("{\"type\":\"trial\"}\n{oops}\n", "journal.jsonl, line 2: not a JSON record (")]
    public void A_damaged_line_is_an_error_naming_the_line(string content, string start)
    {
        var error = Assert.Throws<SearchJournalException>(() => SearchJournal.Parse(new MemoryStream(Encoding.UTF8.GetBytes(content)),
            "journal.jsonl"));

        Assert.StartsWith(start, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_nesting_and_long_lines_are_refused_before_they_are_built()
    {
        var deep = new string('[', 100_000) + new string(']', 100_000) + "\n";
        var longLine = "{\"x\":\"" + new string('a', SearchJournal.MaxLineBytes) + "\"}\n";

        var nested = Assert.Throws<SearchJournalException>(() => SearchJournal.Parse(new MemoryStream(Encoding.UTF8.GetBytes(deep)), "j"));
        var wide = Assert.Throws<SearchJournalException>(() =>
            SearchJournal.Parse(new MemoryStream(Encoding.UTF8.GetBytes(longLine)), "j"));

        Assert.StartsWith("j, line 1: not a JSON record (", nested.Message, StringComparison.Ordinal);
        Assert.Equal("j, line 1: 1,048,584 bytes, more than the 1,048,576 a record may have.", wide.Message);
    }

    [Fact]
    public void Mutated_journals_read_and_replay_or_fail_with_the_journals_own_errors()
    {
        var valid = ValidJournal();
        var random = new Random(20261206);
        string[] fragments = { "{", "}", "[", "]", ",", ":", "\"", "\n", "-1", "1e999", "null", "\"trial\"", "\"result\"", "\"promote\"",
            "2147483648", "0.5", "\u0000", "\\u0000", "é", "true" };
        int replayed = 0, refused = 0;
        for (var i = 0; i < 2000; i++)
        {
            var text = new StringBuilder(valid);
            for (var m = random.Next(1, 4); m > 0; m--)
            {
                var at = random.Next(text.Length + 1);
                switch (random.Next(3))
                {
                    case 0:
                        text.Insert(at, fragments[random.Next(fragments.Length)]);
                        break;
                    case 1 when at < text.Length:
                        text.Remove(at, Math.Min(random.Next(1, 8), text.Length - at));
                        break;
                    default:
                        text.Length = Math.Min(text.Length, at);
                        break;
                }
            }
            try
            {
                SearchState.Replay(SearchJournal.Parse(new MemoryStream(Encoding.UTF8.GetBytes(text.ToString())), "j"));
                replayed++;
            }
            catch (SearchJournalException)
            {
                refused++;
            }
        }
        Assert.Equal(2000, replayed + refused);
        Assert.InRange(refused, 1, 1999);
    }

    private static string ValidJournal()
    {
        var lines = new List<string>();
        for (var trial = 0; trial < 4; trial++)
        {
            lines.Add($"{{\"type\":\"trial\",\"trial\":{trial}," +
                $"\"drawn\":{{\"learning_rate\":0.00{trial + 1},\"optimizer\":{trial % 2}}}}}");
            lines.Add($"{{\"type\":\"result\",\"trial\":{trial},\"rung\":0,\"seed\":1,\"score\":0.8{trial}}}");
        }
        lines.Add("{\"type\":\"promote\",\"trial\":3,\"rung\":1,\"rule\":\"top 1/3\"}");
        lines.Add("{\"type\":\"stop\",\"trial\":0,\"rung\":0}");
        return string.Join("\n", lines) + "\n";
    }
}

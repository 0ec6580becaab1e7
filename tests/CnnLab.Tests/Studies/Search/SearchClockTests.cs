using System.Text;
using CnnLab.Studies.Search;

namespace CnnLab.Tests.Studies.Search;

public sealed class SearchClockTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "cnnlab-clock-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public void Workers_side_by_side_count_once_and_the_gap_between_invocations_not_at_all()
    {
        Directory.CreateDirectory(_folder);
        // Invocation 1: workers a and b, 10:00:00-10:00:20 together; the search was killed; invocation 2 an hour later.
        File.WriteAllText(Path.Combine(_folder, SearchClock.FileName), string.Concat(
            Line("start", "a", "2026-12-06T10:00:00.0000000Z"),
            Line("start", "b", "2026-12-06T10:00:05.0000000Z"),
            Line("running", "a", "2026-12-06T10:00:10.0000000Z"),
            Line("running", "b", "2026-12-06T10:00:20.0000000Z"),
            Line("start", "c", "2026-12-06T11:00:00.0000000Z"),
            Line("running", "c", "2026-12-06T11:00:30.5000000Z")));

        var measured = new SearchClock(_folder).Read();

        Assert.Equal((TimeSpan.FromSeconds(50.5), 3), measured);
    }

    [Fact]
    public void A_folder_without_a_clock_has_no_wall_time_and_a_new_worker_writes_one()
    {
        Assert.Null(new SearchClock(_folder).Read());

        var clock = new SearchClock(_folder);
        clock.Started();
        clock.Running();

        var (wall, workers) = new SearchClock(_folder).Read()!.Value;
        Assert.Equal(1, workers);
        Assert.InRange(wall, TimeSpan.Zero, TimeSpan.FromMinutes(1));
    }

    [Fact]
    public void Spans_inside_others_and_touching_ones_are_merged()
    {
        var t = new DateTime(2026, 12, 6, 0, 0, 0, DateTimeKind.Utc);

        var union = SearchClock.Union(new[]
        {
            (t.AddSeconds(30), t.AddSeconds(40)), (t, t.AddSeconds(100)), (t.AddSeconds(100), t.AddSeconds(110)),
            (t.AddSeconds(200), t.AddSeconds(200)),
        });

        Assert.Equal(TimeSpan.FromSeconds(110), union);
    }

    [Fact]
    public void A_record_it_did_not_write_is_refused_naming_the_line()
    {
        Directory.CreateDirectory(_folder);
        var path = Path.Combine(_folder, SearchClock.FileName);
        File.WriteAllText(path,
            Line("start", "a", "2026-12-06T10:00:00.0000000Z") + "{\"type\":\"start\",\"worker\":\"b\",\"at\":\"noon\"}\n");

        var error = Assert.Throws<SearchJournalException>(() => new SearchClock(_folder).Read());

        Assert.Equal($"{path}, line 2: expected {{\"type\": \"start\" or \"running\", \"worker\": ID, \"at\": ISO 8601 time}}, got " +
            "{\"type\":\"start\",\"worker\":\"b\",\"at\":\"noon\"}. The file is written only by cnnlab; delete it to write the report " +
            "without the wall time.", error.Message);
    }

    [Fact]
    public void Mutated_clocks_measure_or_fail_with_the_clocks_own_errors()
    {
        var valid = string.Concat(Line("start", "a", "2026-12-06T10:00:00.0000000Z"), Line("running", "a", "2026-12-06T10:05:00.0000000Z"),
            Line("start", "b", "2026-12-06T10:01:00.0000000Z"), Line("running", "b", "9999-12-31T23:59:59.9999999Z"));
        var random = new Random(20261207);
        string[] fragments =
            { "{", "}", "\"", "\n", ":", ",", "null", "-", "T", "Z", "+14:00", "0001-01-01T00:00:00Z", "\"start\"", "1e999" };
        int measured = 0, refused = 0;
        for (var i = 0; i < 2000; i++)
        {
            var text = new StringBuilder(valid);
            for (var m = random.Next(1, 4); m > 0; m--)
            {
                var at = random.Next(text.Length + 1);
                if (random.Next(2) == 0)
                {
                    text.Insert(at, fragments[random.Next(fragments.Length)]);
                }
                else if (at < text.Length)
                {
                    text.Remove(at, Math.Min(random.Next(1, 8), text.Length - at));
                }
            }
            try
            {
                var records = SearchJournal.Parse(new MemoryStream(Encoding.UTF8.GetBytes(text.ToString())), "c");
                var (wall, _) = SearchClock.Measure(records, "c");
                Assert.True(wall >= TimeSpan.Zero);
                measured++;
            }
            catch (SearchJournalException)
            {
                refused++;
            }
        }
        Assert.Equal(2000, measured + refused);
        Assert.InRange(refused, 1, 1999);
    }

    private static string Line(string type, string worker, string at) =>
        $"{{\"type\":\"{type}\",\"worker\":\"{worker}\",\"at\":\"{at}\"}}\n";
}

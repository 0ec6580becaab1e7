using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using CnnLab.Dashboard;
using CnnLab.Tests.Cli;
using CnnLab.Tests.Data;

namespace CnnLab.Tests.Dashboard;

/// <summary>
/// The dashboard over a real results folder, over HTTP: what the API answers while a run's epochs arrive, and the
/// hostile requests it refuses (traversal in every spelling, a link out of the folder, a missing token).
/// </summary>
public sealed class DashboardServerTests : IAsyncLifetime, IClassFixture<DashboardServerTests.TrainedStudy>
{
    private readonly string _root = Directory.CreateTempSubdirectory("cnnlab-dashboard-").FullName;
    private readonly TrainedStudy _trained;
    private string _results = "";
    private DashboardServer? _server;

    public DashboardServerTests(TrainedStudy trained) => _trained = trained;

    public async Task InitializeAsync()
    {
        // Each test gets its own copy of the trained folder (tests damage files and add links).
        _results = Path.Combine(_root, "runs", "dashboard-check", "1");
        Copy(_trained.Results, _results);
        File.Copy(Path.Combine(_trained.Root, "study.yaml"), Path.Combine(_root, "study.yaml"));
        _server = await DashboardServer.StartAsync(new DashboardOptions(new[] { Path.Combine(_root, "runs") }, Port: 0));
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        Directory.Delete(_root, true);
    }

    [Fact]
    public async Task The_api_lists_the_study_its_tasks_and_curves_that_gain_a_point_per_epoch_without_a_reload()
    {
        using var http = new HttpClient { BaseAddress = _server!.Address };
        var list = JsonNode.Parse(await http.GetStringAsync("/api/results"))!.AsArray();
        var seed2 = Path.Combine(_results, "small", "seed-2");
        Directory.CreateDirectory(seed2);
        await File.WriteAllTextAsync(Path.Combine(seed2, "epochs.jsonl"), Line(1));
        var before = await http.GetStringAsync("/api/results/0/curves.svg?run=small");
        await File.AppendAllTextAsync(Path.Combine(seed2, "epochs.jsonl"), Line(2));
        var after = await http.GetStringAsync("/api/results/0/curves.svg?run=small");
        var detail = JsonNode.Parse(await http.GetStringAsync("/api/results/0"))!;
        var page = await http.GetAsync("/");

        Assert.Equal("dashboard check", Assert.Single(list)!["name"]!.GetValue<string>());
        Assert.Equal((2, 1), (list[0]!["tasks"]!.GetValue<int>(), list[0]!["finished"]!.GetValue<int>()));
        Assert.Contains("data-name=\"seed 1 val_accuracy\" data-points=\"3\"", before, StringComparison.Ordinal);
        Assert.Contains("data-name=\"seed 2 val_accuracy\" data-points=\"1\"", before, StringComparison.Ordinal);
        Assert.Contains("data-name=\"seed 2 val_accuracy\" data-points=\"2\"", after, StringComparison.Ordinal);
        var rows = detail["rows"]!.AsArray();
        Assert.Equal(("finished", 3, true), (rows[0]!["status"]!.GetValue<string>(), rows[0]!["epoch"]!.GetValue<int>(),
            rows[0]!["test"]!.GetValue<bool>()));
        Assert.Equal(2, rows[1]!["epoch"]!.GetValue<int>());
        var confusion = detail["confusion"]!;
        Assert.Equal(("small", 1), (confusion["run"]!.GetValue<string>(), confusion["seed"]!.GetValue<int>()));
        // Two classes: a 2 x 2 matrix of the folder's test split (10 images), the same count as the run's metrics.
        Assert.Equal(new[] { 2, 2 }, confusion["matrix"]!.AsArray().Select(row => row!.AsArray().Count));
        Assert.Equal(10, confusion["matrix"]!.AsArray().Sum(row => row!.AsArray().Sum(n => n!.GetValue<long>())));
        Assert.Equal("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single().Split("; ")[1]);
        Assert.Contains("<script src=\"app.js\" defer></script>", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/files/0/../../../study.yaml")]
    [InlineData("/files/0/%2e%2e/%2e%2e/%2e%2e/study.yaml")]
    [InlineData("/files/0/..%2f..%2f..%2fstudy.yaml")]
    [InlineData("/files/0/%2fetc%2fpasswd")]
    [InlineData("/files/0//etc/passwd")]
    [InlineData("/files/0/small/seed-1/..%5c..%5cstudy.json")]
    [InlineData("/files/0/outside")]
    [InlineData("/files/9/study.json")]
    public async Task Traversal_in_every_spelling_and_a_link_out_of_the_folder_get_404(string path)
    {
        File.CreateSymbolicLink(Path.Combine(_results, "outside"), Path.Combine(_root, "study.yaml"));

        Assert.Equal(404, await RawStatus(path));
        Assert.Equal(200, await RawStatus("/files/0/study.json"));
    }

    [Fact]
    public async Task A_NUL_in_the_path_is_refused_by_Kestrel_before_the_dashboard_sees_it() =>
        Assert.Equal(400, await RawStatus("/files/0/study.json%00.png"));

    [Fact]
    public async Task A_damaged_metrics_file_is_unreadable_for_its_run_and_the_page_still_answers()
    {
        await File.WriteAllTextAsync(Path.Combine(_results, "small", "seed-1", "metrics.json"), "{\"Run\": 3");
        using var http = new HttpClient { BaseAddress = _server!.Address };

        var detail = JsonNode.Parse(await http.GetStringAsync("/api/results/0"))!;

        Assert.Equal("unreadable", detail["rows"]![0]!["status"]!.GetValue<string>());
        Assert.Equal("waiting", detail["rows"]![1]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task With_a_token_every_request_needs_it_and_another_host_without_one_is_refused()
    {
        await using var guarded = await DashboardServer.StartAsync(new DashboardOptions(new[] { _root }, Port: 0, Token: "s3cret"));
        using var http = new HttpClient { BaseAddress = guarded.Address };

        var none = await http.GetAsync("/api/results");
        var wrong = await http.GetAsync("/api/results?token=guess");
        var query = await http.GetAsync("/api/results?token=s3cret");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/files/0/study.json");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "s3cret");
        var header = await http.SendAsync(request);
        var remote = await Assert.ThrowsAsync<ArgumentException>(() => DashboardServer.StartAsync(
            new DashboardOptions(new[] { _root }, Host: "0.0.0.0", Port: 0)));

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (none.StatusCode, wrong.StatusCode));
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (query.StatusCode, header.StatusCode));
        Assert.Equal("`host` 0.0.0.0 makes the dashboard reachable from other machines, so it needs a `token` (or " +
            "CNNLAB_DASHBOARD_TOKEN) that every request must carry. Give one, or keep the default host 127.0.0.1.", remote.Message);
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static string Line(int epoch) =>
        $"{{\"epoch\":{epoch},\"epochs\":3,\"seconds\":0.5,\"threads\":1," +
        $"\"metrics\":{{\"accuracy\":0.{epoch}5,\"val_accuracy\":0.{epoch}}}}}\n";

    /// <summary>The status of a request sent byte for byte (HttpClient would normalise the dots away).</summary>
    private async Task<int> RawStatus(string path)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(_server!.Address.Host, _server.Address.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var status = await reader.ReadLineAsync();
        return int.Parse(status!.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A two-seed study of which seed 1 is trained, once for the class: CnnLab's own files, not forged ones.</summary>
    public sealed class TrainedStudy : IDisposable
    {
        public TrainedStudy()
        {
            Root = Directory.CreateTempSubdirectory("cnnlab-dashboard-study-").FullName;
            Fixtures.TwoShadeFolder(Path.Combine(Root, "data"), perClass: 24, size: 8, seed: 4);
            var file = Path.Combine(Root, "study.yaml");
            File.WriteAllText(file, $"""
                name: dashboard check
                dataset: {Path.Combine(Root, "data")}
                seeds: 2
                training: {"{"}epochs: 3, batch_size: 8, validation_split: 0.25{"}"}
                runs:
                  - name: small
                    model: {"{"}blocks: [[4]], dense: [8]{"}"}
                """);
            Results = Path.Combine(Root, "results");
            var trained = CliRunner.Run("study", file, "--out", Results, "--task", "0", "--threads", "1");
            Assert.True(trained.Code == 0, trained.Error);
        }

        public string Root { get; }

        public string Results { get; }

        public void Dispose() => Directory.Delete(Root, true);
    }
}

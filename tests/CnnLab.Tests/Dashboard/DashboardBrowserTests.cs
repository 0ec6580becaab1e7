using System.Diagnostics;
using System.Text.RegularExpressions;
using CnnLab.Dashboard;
using CnnLab.Tests.Data;
using Microsoft.Playwright;
using SkiaSharp;

namespace CnnLab.Tests.Dashboard;

/// <summary>
/// The dashboard in a real browser: Debian's Chromium driven by Playwright (its own browser download is not reachable
/// here, so <c>ExecutablePath</c>), watching a study that trains in another process. The page is never reloaded: the
/// epoch counter must advance and the curve gain points from its own polling, and the report link appear at the end.
/// A screenshot of the running study is kept in docs/dashboard/.
/// </summary>
public sealed class DashboardBrowserTests : IDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private readonly string _root = Directory.CreateTempSubdirectory("cnnlab-browser-").FullName;

    public void Dispose() => Directory.Delete(_root, true);

    [Fact]
    public async Task A_running_study_advances_on_the_page_without_a_reload_and_shows_its_report_at_the_end()
    {
        Assert.True(File.Exists(Chromium),
            $"{Chromium} is missing: install Debian's chromium (apt-get install chromium), as .ci/run does.");
        var random = new Random(6);
        for (var i = 0; i < 150; i++)
        {
            var shade = (byte)random.Next(0, 120);
            Fixtures.Image(Path.Combine(_root, "data", "dark", $"{i}.png"), 28, 28, new SKColor(shade, shade, shade));
            Fixtures.Image(Path.Combine(_root, "data", "light", $"{i}.png"), 28, 28,
                new SKColor((byte)(135 + shade), (byte)(135 + shade), (byte)(135 + shade)));
        }
        var file = Path.Combine(_root, "study.yaml");
        File.WriteAllText(file, $"""
            name: browser check
            dataset: {Path.Combine(_root, "data")}
            seeds: 1
            training: {"{"}epochs: 60, batch_size: 10, validation_split: 0.2{"}"}
            runs:
              - name: watched
                model: {"{"}blocks: [[16, 16], [32]], dense: [32]{"}"}
            """);
        var results = Path.Combine(_root, "runs", "browser-check");
        Directory.CreateDirectory(Path.Combine(_root, "runs"));
        using var study = StartStudy(file, results);
        await using var server = await DashboardServer.StartAsync(new DashboardOptions(new[] { Path.Combine(_root, "runs") }, Port: 0));
        // Opened once the study has claimed its folder: before that, id 0 does not exist yet.
        var claimed = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(results, "study.json")) && claimed.Elapsed < TimeSpan.FromMinutes(1))
        {
            await Task.Delay(50);
        }
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium, Headless = true, Args = new[] { "--no-sandbox" },
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1100, Height = 900 } });
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add($"{message.Text} ({message.Location})");
            }
        };
        await page.GotoAsync(server.Address + "?id=0");

        var epoch = page.Locator("#tasks tbody tr[data-task='0'] td.epoch");
        var first = await Advance(epoch, after: 0);
        var firstPoints = await Points(page);
        var second = await Advance(epoch, after: first);
        var secondPoints = await Points(page);
        Directory.CreateDirectory(Path.Combine(TestSupport.RepositoryRoot(), "docs", "dashboard"));
        await page.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = Path.Combine(TestSupport.RepositoryRoot(), "docs", "dashboard", "running-study.png"), FullPage = true,
        });
        Assert.True(study.WaitForExit(TimeSpan.FromMinutes(3)), "the study did not finish");
        await page.Locator("#report-link").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        // report.md is written a moment before report.html: the link points at the HTML once both exist.
        var link = Stopwatch.StartNew();
        while (!(await page.Locator("#report-link").GetAttributeAsync("href") ?? "").EndsWith("report.html", StringComparison.Ordinal)
               && link.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(100);
        }

        Assert.True(first < 60, "the study finished before the page showed it running");
        Assert.True(second > first, $"epoch {first} then {second}");
        Assert.True(secondPoints > firstPoints, $"curve points {firstPoints} then {secondPoints}");
        Assert.Equal(0, study.ExitCode);
        Assert.EndsWith("/files/0/report.html", await page.Locator("#report-link").GetAttributeAsync("href"), StringComparison.Ordinal);
        Assert.Equal("finished", await page.Locator("#tasks tbody tr[data-task='0'] td.status-finished").TextContentAsync());
        // The tested run's confusion matrix and its per-class table: two classes.
        Assert.Equal(2, await page.Locator("#confusion tbody tr").CountAsync());
        Assert.Equal(2, await page.Locator("#per-class tbody tr").CountAsync());
        Assert.Empty(errors);   // a CSP violation or a script error shows here
    }

    /// <summary>Waits (at most a minute) until the page's epoch counter shows more than <paramref name="after"/> epochs.</summary>
    private static async Task<int> Advance(ILocator epoch, int after)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(1))
        {
            if (await epoch.CountAsync() == 1 && Regex.Match(await epoch.TextContentAsync() ?? "", @"^(\d+)/") is { Success: true } m
                && int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) is var done && done > after)
            {
                return done;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"the page's epoch counter stayed at {after}");
    }

    /// <summary>The points of the curve the page's image stands for now (its SVG address, fetched afresh).</summary>
    private static Task<int> Points(IPage page) => page.EvaluateAsync<int>(
        "async () => { const img = document.querySelector('#curves img'); " +
        "const text = await (await fetch(img.src + '&probe=' + Date.now(), { cache: 'no-store' })).text(); " +
        "const m = text.match(/data-points=\"(\\d+)\"/); return m ? parseInt(m[1]) : 0; }");

    private static Process StartStudy(string file, string results)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "CnnLab.Cli.dll"), "study", file, "--out", results,
                     "--threads", "1" })
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}

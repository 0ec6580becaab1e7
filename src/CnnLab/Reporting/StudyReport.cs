using System.Globalization;
using System.Net;
using System.Text;
using CnnLab.Data;
using CnnLab.Experiments;

namespace CnnLab.Reporting;

/// <summary>
/// The study report: report.md with PNG charts beside it, and a self-contained report.html with the same
/// content and the images inline. Every number is a mean ± standard deviation over the seeds.
/// </summary>
public static class StudyReport
{
    /// <summary>Significance level of the paired tests.</summary>
    public const double Alpha = 0.05;

    /// <summary>Writes report.md, report.html and charts/*.png into <paramref name="folder"/>.</summary>
    public static void Write(string folder, StudyDefinition study, IReadOnlyList<RunResult> results, DataSplits data, TimeSpan wallTime)
    {
        Directory.CreateDirectory(Path.Combine(folder, "charts"));
        var charts = new List<(string Title, string File, byte[] Png)>();
        var byRun = study.Runs.Select(r => (Run: r, Results: results.Where(x => x.Run == r.Name).OrderBy(x => x.Seed).ToList()))
            .Where(x => x.Results.Count > 0).ToList();

        charts.Add(("Validation accuracy per epoch, all runs (mean over seeds)", "val-accuracy.png", Charts.Curves("Validation accuracy (mean over seeds)", "accuracy",
            byRun.Select(x => (x.Run.Name, (IReadOnlyList<double>)MeanCurve(x.Results, r => r.ValAccuracy))).ToList())));
        charts.Add(("Training and validation accuracy, all runs", "accuracy.png", Charts.Curves("Train (solid) and validation (dashed) accuracy", "accuracy",
            byRun.SelectMany(x => new[] { ($"train {x.Run.Name}", (IReadOnlyList<double>)MeanCurve(x.Results, r => r.Accuracy)), ($"val {x.Run.Name}", MeanCurve(x.Results, r => r.ValAccuracy)) }).ToList(), trainValPairs: true)));
        charts.Add(("Training and validation loss, all runs", "loss.png", Charts.Curves("Train (solid) and validation (dashed) loss", "loss",
            byRun.SelectMany(x => new[] { ($"train {x.Run.Name}", (IReadOnlyList<double>)MeanCurve(x.Results, r => r.Loss)), ($"val {x.Run.Name}", MeanCurve(x.Results, r => r.ValLoss)) }).ToList(), trainValPairs: true)));
        foreach (var (comparison, i) in study.Comparisons.Select((c, i) => (c, i)))
        {
            var pair = byRun.Where(x => x.Run.Name == comparison.First || x.Run.Name == comparison.Second).ToList();
            charts.Add(($"{comparison.Name}: train and validation accuracy", $"comparison-{i + 1}.png", Charts.Curves(comparison.Name, "accuracy",
                pair.SelectMany(x => new[] { ($"train {x.Run.Name}", (IReadOnlyList<double>)MeanCurve(x.Results, r => r.Accuracy)), ($"val {x.Run.Name}", MeanCurve(x.Results, r => r.ValAccuracy)) }).ToList(), trainValPairs: true)));
        }
        var best = byRun.MaxBy(x => x.Results.Average(r => r.TestAccuracy));
        if (best.Results is { Count: > 0 })
        {
            var summed = Sum(best.Results.Select(r => r.Confusion).ToList());
            charts.Add(($"Confusion matrix of the best run, {best.Run.Name} (test set, all seeds summed)", "confusion.png",
                Charts.ConfusionHeatmap($"{best.Run.Name}: confusion matrix", summed, data.ClassNames)));
        }
        var predictions = best.Results is { Count: > 0 } ? Path.Combine(folder, StudyRunner.Slug(best.Run.Name), $"seed-{best.Results[0].Seed}", "predictions.csv") : null;
        if (predictions is not null && File.Exists(predictions))
        {
            var predicted = File.ReadLines(predictions).Skip(1).Select(long.Parse).ToArray();
            var actual = data.Test.Labels.data<long>().ToArray();
            var wrong = Enumerable.Range(0, Math.Min(predicted.Length, actual.Length)).Where(i => predicted[i] != actual[i]).Take(20).ToList();
            if (wrong.Count > 0)
            {
                var missPath = Path.Combine(folder, "charts", "misclassified.png");
                SampleGrid.Save(data.Test, missPath, wrong, wrong.Select(i => $"{data.ClassNames[(int)actual[i]]} → {data.ClassNames[(int)predicted[i]]}").ToList(), 5, 120);
                charts.Add(($"Misclassified test images of {best.Run.Name}, seed {best.Results[0].Seed} (true → predicted)", "misclassified.png", File.ReadAllBytes(missPath)));
            }
        }
        var gridPath = Path.Combine(folder, "charts", "samples.png");
        SampleGrid.Save(data.Train, gridPath, 5, seed: 0);
        charts.Add(("Sample training images", "samples.png", File.ReadAllBytes(gridPath)));

        foreach (var chart in charts)
        {
            AtomicFile.Write(Path.Combine(folder, "charts", chart.File), chart.Png);
        }

        var summary = Summary(study, byRun.Select(x => (x.Run, x.Results)).ToList(), data, wallTime);
        var comparisons = Comparisons(study, results);
        var markdown = new StringBuilder(summary.Markdown).Append(comparisons.Markdown);
        markdown.AppendLine("## Charts").AppendLine();
        foreach (var chart in charts)
        {
            markdown.AppendLine($"### {chart.Title}").AppendLine().AppendLine($"![{chart.Title}](charts/{chart.File})").AppendLine();
        }
        AtomicFile.WriteText(Path.Combine(folder, "report.md"), markdown.ToString());

        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(WebUtility.HtmlEncode(study.Name)).Append("</title><style>")
            .Append("body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:1100px;margin:2em auto;color:#222;line-height:1.45}")
            .Append("table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}")
            .Append("th:first-child,td:first-child{text-align:left}th{background:#f3f3f3}img{max-width:100%;border:1px solid #eee}")
            .Append(".yes{color:#0a6b2d;font-weight:bold}.no{color:#8a5a00}</style></head><body>")
            .Append(summary.Html).Append(comparisons.Html).Append("<h2>Charts</h2>");
        foreach (var chart in charts)
        {
            html.Append("<h3>").Append(WebUtility.HtmlEncode(chart.Title)).Append("</h3><img alt=\"").Append(WebUtility.HtmlEncode(chart.Title))
                .Append("\" src=\"data:image/png;base64,").Append(Convert.ToBase64String(chart.Png)).Append("\">");
        }
        html.Append("</body></html>\n");
        AtomicFile.WriteText(Path.Combine(folder, "report.html"), html.ToString());
    }

    /// <summary>"0.9125 ± 0.0021" (± omitted with one seed; "n/a" for a metric the run does not have, such as validation without a split).</summary>
    public static string MeanStd(IReadOnlyList<double> values, string format = "F4")
    {
        if (values.Count == 0 || values.Any(double.IsNaN))
        {
            return "n/a";
        }
        var mean = values.Average();
        if (values.Count < 2)
        {
            return mean.ToString(format, CultureInfo.InvariantCulture);
        }
        var std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return mean.ToString(format, CultureInfo.InvariantCulture) + " ± " + std.ToString(format, CultureInfo.InvariantCulture);
    }

    /// <summary>The sentence a reader needs: which run is ahead, by how much, and whether the difference holds.</summary>
    public static string Verdict(ComparisonDefinition comparison, PairedTTest test)
    {
        var metric = comparison.Metric.Replace('_', ' ');
        if (test.Pairs < 2)
        {
            return $"With {test.Pairs} seed the difference in {metric} cannot be tested; run the study with --seeds 3 or more.";
        }
        var ahead = test.MeanDifference >= 0 ? comparison.First : comparison.Second;
        var behind = test.MeanDifference >= 0 ? comparison.Second : comparison.First;
        var size = comparison.Metric == "seconds_per_epoch"
            ? string.Create(CultureInfo.InvariantCulture, $"{Math.Abs(test.MeanDifference):F2} s")
            : string.Create(CultureInfo.InvariantCulture, $"{100 * Math.Abs(test.MeanDifference):F2} points");
        var holds = test.PValue < Alpha;
        return string.Create(CultureInfo.InvariantCulture,
            $"\"{ahead}\" has the higher {metric} than \"{behind}\" by {size} on average over {test.Pairs} seeds (paired t = {test.T:F2}, p = {test.PValue:F3}): ") +
            (holds ? $"the difference holds at the {Alpha} level." : $"not significant at the {Alpha} level; it may be noise.");
    }

    private static (string Markdown, string Html) Summary(StudyDefinition study, List<(RunDefinition Run, List<RunResult> Results)> runs, DataSplits data, TimeSpan wallTime)
    {
        var md = new StringBuilder();
        var html = new StringBuilder();
        var intro = $"Dataset {data.Name} ({data.Train.Count} training and {data.Test.Count} test images, input {data.InputShape}, from {data.Source}); " +
                    $"{study.Seeds} seed(s) per run; wall time {wallTime:hh\\:mm\\:ss}.";
        md.AppendLine($"# {study.Name}").AppendLine().AppendLine(intro).AppendLine();
        html.Append("<h1>").Append(WebUtility.HtmlEncode(study.Name)).Append("</h1><p>").Append(WebUtility.HtmlEncode(intro)).Append("</p>");
        string[] headers = { "run", "model", "optimizer", "parameters", "s / epoch", "train accuracy", "val accuracy", "test accuracy", "gap train - val" };
        md.AppendLine("| " + string.Join(" | ", headers) + " |").AppendLine("|" + string.Concat(headers.Select(_ => " --- |")));
        html.Append("<table><tr>").Append(string.Concat(headers.Select(h => $"<th>{h}</th>"))).Append("</tr>");
        foreach (var (run, results) in runs)
        {
            string[] cells =
            {
                run.Name, run.Model.ToString(), run.Optimizer, results[0].Parameters.ToString("N0", CultureInfo.InvariantCulture),
                MeanStd(results.Select(r => r.SecondsPerEpoch).ToList(), "F1"), MeanStd(results.Select(r => r.FinalAccuracy).ToList()),
                MeanStd(results.Select(r => r.FinalValAccuracy).ToList()), MeanStd(results.Select(r => r.TestAccuracy).ToList()),
                MeanStd(results.Select(r => r.FinalAccuracy - r.FinalValAccuracy).ToList()),
            };
            md.AppendLine("| " + string.Join(" | ", cells) + " |");
            html.Append("<tr>").Append(string.Concat(cells.Select(c => $"<td>{WebUtility.HtmlEncode(c)}</td>"))).Append("</tr>");
        }
        md.AppendLine();
        html.Append("</table>");
        if (runs.Count > 2)
        {
            var ranked = runs.OrderByDescending(x => x.Results.Average(r => r.TestAccuracy)).ToList();
            md.AppendLine("Ranking by mean test accuracy: " + string.Join("; ", ranked.Select((x, i) => string.Create(CultureInfo.InvariantCulture,
                $"{i + 1}. {x.Run.Name} ({x.Results.Average(r => r.TestAccuracy):F4}, {x.Results[0].Parameters:N0} parameters, {x.Results.Average(r => r.SecondsPerEpoch):F1} s/epoch)")))).AppendLine();
            html.Append("<h2>Ranking by mean test accuracy</h2><ol>");
            foreach (var x in ranked)
            {
                html.Append("<li>").Append(WebUtility.HtmlEncode(string.Create(CultureInfo.InvariantCulture,
                    $"{x.Run.Name}: {x.Results.Average(r => r.TestAccuracy):F4} test accuracy, {x.Results[0].Parameters:N0} parameters, {x.Results.Average(r => r.SecondsPerEpoch):F1} s per epoch"))).Append("</li>");
            }
            html.Append("</ol>");
        }
        return (md.ToString(), html.ToString());
    }

    private static (string Markdown, string Html) Comparisons(StudyDefinition study, IReadOnlyList<RunResult> results)
    {
        if (study.Comparisons.Count == 0)
        {
            return ("", "");
        }
        var md = new StringBuilder("## Comparisons\n\n");
        var html = new StringBuilder("<h2>Comparisons</h2><ul>");
        foreach (var comparison in study.Comparisons)
        {
            double Metric(RunResult r) => comparison.Metric switch
            {
                "val_accuracy" => r.FinalValAccuracy,
                "seconds_per_epoch" => r.SecondsPerEpoch,
                _ => r.TestAccuracy,
            };
            var first = results.Where(r => r.Run == comparison.First).ToDictionary(r => r.Seed);
            var second = results.Where(r => r.Run == comparison.Second).ToDictionary(r => r.Seed);
            var seeds = first.Keys.Intersect(second.Keys).Order().ToList();
            var test = PairedTTest.Compute(seeds.Select(s => Metric(first[s])).ToList(), seeds.Select(s => Metric(second[s])).ToList());
            var verdict = Verdict(comparison, test);
            md.AppendLine($"- **{comparison.Name}**: {verdict}");
            html.Append("<li><b>").Append(WebUtility.HtmlEncode(comparison.Name)).Append("</b>: <span class=\"")
                .Append(test.PValue < Alpha ? "yes" : "no").Append("\">").Append(WebUtility.HtmlEncode(verdict)).Append("</span></li>");
        }
        md.AppendLine();
        html.Append("</ul>");
        return (md.ToString(), html.ToString());
    }

    private static double[] MeanCurve(List<RunResult> results, Func<RunResult, IReadOnlyList<double>> curve)
    {
        var length = results.Min(r => curve(r).Count);
        return Enumerable.Range(0, length).Select(e => results.Average(r => curve(r)[e])).ToArray();
    }

    private static long[][] Sum(List<long[][]> matrices) =>
        matrices[0].Select((row, i) => row.Select((_, j) => matrices.Sum(m => m[i][j])).ToArray()).ToArray();
}

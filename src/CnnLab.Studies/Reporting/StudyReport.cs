using System.Globalization;
using System.Net;
using System.Text;
using CnnLab.Data;
using CnnLab.Formats;
using CnnLab.Metrics;
using CnnLab.Studies.Experiments;
using CnnLab.Studies.Experiments.Schema;
using Markdig;

namespace CnnLab.Studies.Reporting;

/// <summary>
/// The study report: report.md with PNG charts beside it, and a self-contained report.html with the same
/// content and the images inline. Every number is a mean ± standard deviation over the seeds.
/// </summary>
public static class StudyReport
{
    /// <summary>Significance level of the paired tests.</summary>
    public const double Alpha = 0.05;

    /// <summary>
    /// Writes report.md, report.html and charts/*.png into <paramref name="folder"/>, from <paramref name="results"/> as
    /// <see cref="ResultsFolder"/> keeps them (and the folder's task records for the provenance): no file of a run is
    /// parsed back, and each chart is drawn once, written once and embedded from the same bytes.
    /// </summary>
    public static void Write(string folder, StudyDefinition study, IReadOnlyList<RunResult> results, DataSplits data, TimeSpan? wallTime)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(data);
        Directory.CreateDirectory(Path.Combine(folder, ResultsFolder.Charts));
        var charts = new List<(string Title, string File, byte[] Png)>();
        var byRun = study.Runs.Select(r => (Run: r, Results: results.Where(x => x.Run == r.Name).OrderBy(x => x.Seed).ToList()))
            .Where(x => x.Results.Count > 0).ToList();

        charts.Add(("Validation accuracy per epoch, all runs (mean over seeds, band: ± one standard deviation)", "val-accuracy.png",
            Charts.Curves("Validation accuracy (mean over seeds)", "accuracy",
            byRun.Select(x => (x.Run.Name, (IReadOnlyList<double>)MeanCurve(x.Results, r => r.ValAccuracy))).ToList(),
            spreads: byRun.Select(x => (IReadOnlyList<double>?)StdCurve(x.Results, r => r.ValAccuracy)).ToList())));
        charts.Add(("Training and validation accuracy, all runs", "accuracy.png",
            Charts.Curves("Train (solid) and validation (dashed) accuracy", "accuracy",
            byRun.SelectMany(x => new[] { ($"train {x.Run.Name}", (IReadOnlyList<double>)MeanCurve(x.Results, r => r.Accuracy)),
                ($"val {x.Run.Name}", MeanCurve(x.Results, r => r.ValAccuracy)) }).ToList(), trainValPairs: true)));
        charts.Add(("Training and validation loss, all runs", "loss.png",
            Charts.Curves("Train (solid) and validation (dashed) loss", "loss",
            byRun.SelectMany(x => new[] { ($"train {x.Run.Name}", (IReadOnlyList<double>)MeanCurve(x.Results, r => r.Loss)),
                ($"val {x.Run.Name}", MeanCurve(x.Results, r => r.ValLoss)) }).ToList(), trainValPairs: true)));
        foreach (var (comparison, i) in study.Comparisons.Select((c, i) => (c, i)))
        {
            var pair = byRun.Where(x => x.Run.Name == comparison.First || x.Run.Name == comparison.Second).ToList();
            charts.Add(($"{comparison.Name}: train and validation accuracy", $"comparison-{i + 1}.png",
                Charts.Curves(comparison.Name, "accuracy",
                pair.SelectMany(x => new[] { ($"train {x.Run.Name}", (IReadOnlyList<double>)MeanCurve(x.Results, r => r.Accuracy)),
                    ($"val {x.Run.Name}", MeanCurve(x.Results, r => r.ValAccuracy)) }).ToList(), trainValPairs: true)));
        }
        var best = byRun.MaxBy(x => x.Results.Average(r => r.TestAccuracy));
        if (best.Results is { Count: > 0 })
        {
            var summed = ClassificationReport.Sum(best.Results.Select(r => r.Confusion).ToList());
            charts.Add(($"Confusion matrix of the best run, {best.Run.Name} (test set, all seeds summed; each row in % of its true class)",
                "confusion.png",
                Charts.ConfusionHeatmap($"{best.Run.Name}: confusion matrix (% per true class)", summed, data.ClassNames)));
        }
        if (best.Results is { Count: > 0 } && best.Results[0].Predicted is { } predicted)
        {
            var actual = data.Test.Labels.data<long>().ToArray();
            var wrong =
                Enumerable.Range(0, Math.Min(predicted.Length, actual.Length)).Where(i => predicted[i] != actual[i]).Take(20).ToList();
            if (wrong.Count > 0)
            {
                var captions = wrong.Select(i => $"{data.ClassNames[(int)actual[i]]} → {data.ClassNames[(int)predicted[i]]}").ToList();
                var title = $"Misclassified test images of {best.Run.Name}, seed {best.Results[0].Seed} (true → predicted)";
                charts.Add((title, "misclassified.png", SampleGrid.Png(data.Test, wrong, captions, 5, 120)));
            }
        }
        charts.Add(("Sample training images", "samples.png", SampleGrid.Png(data.Train, 5, seed: 0)));

        foreach (var chart in charts)
        {
            AtomicFile.Write(Path.Combine(folder, ResultsFolder.Charts, chart.File), chart.Png);
        }

        var records = TaskRecords(folder, results);
        var markdown = new StringBuilder(Summary(study, byRun.Select(x => (x.Run, x.Results)).ToList(), data, wallTime, records))
            .Append(Comparisons(study, results))
            .Append(PerClass(best.Run, best.Results, data.ClassNames))
            .Append(Settings(byRun.Select(x => x.Run).ToList()))
            .Append(MissingTasks(study, folder))
            .Append(ReportProvenance.Section(records, results));
        markdown.AppendLine("## Charts").AppendLine();
        foreach (var chart in charts)
        {
            markdown.AppendLine(CultureInfo.InvariantCulture, $"### {chart.Title}").AppendLine()
                .AppendLine(CultureInfo.InvariantCulture, $"![{chart.Title}]({ResultsFolder.Charts}/{chart.File})").AppendLine();
        }
        var text = markdown.ToString();
        AtomicFile.WriteText(Path.Combine(folder, ResultsFolder.ReportMarkdown), text);
        // The HTML is the same Markdown rendered, with the charts inline so the file stands alone.
        foreach (var chart in charts)
        {
            text = text.Replace($"]({ResultsFolder.Charts}/{chart.File})", $"](data:image/png;base64,{Convert.ToBase64String(chart.Png)})",
                StringComparison.Ordinal);
        }
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(WebUtility.HtmlEncode(study.Name))
            .Append("</title><style>")
            .Append("body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:1100px;margin:2em auto;color:#222;line-height:1.45}")
            .Append("table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}")
            .Append("th:first-child,td:first-child{text-align:left}th{background:#f3f3f3}img{max-width:100%;border:1px solid #eee}")
            .Append("</style></head><body>\n")
            .Append(Markdown.ToHtml(text, Pipeline))
            .Append("</body></html>\n");
        AtomicFile.WriteText(Path.Combine(folder, ResultsFolder.ReportHtml), html.ToString());
    }

    // Pipe tables and the rest of Markdig's common extensions; raw HTML in run names is escaped, not passed through.
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseAdvancedExtensions().DisableHtml().Build();

    /// <summary>"0.9125 ± 0.0021" (± omitted with one seed; "n/a" for a metric
    /// the run does not have, such as validation without a split).</summary>
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
        if (test.Pairs == 0)
        {
            return "no seed has finished for both runs yet, so there is nothing to compare.";
        }
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
            $"\"{ahead}\" has the higher {metric} than \"{behind}\" by {size} on average over {test.Pairs} seeds (paired t = " +
            $"{test.T:F2}, p = {test.PValue:F3}): ") +
            (holds ? $"the difference holds at the {Alpha} level." : $"not significant at the {Alpha} level; it may be noise.");
    }

    private static string Summary(StudyDefinition study, List<(RunDefinition Run, List<RunResult> Results)> runs, DataSplits data,
        TimeSpan? wallTime,
        IReadOnlyList<TaskRecord> records)
    {
        var md = new StringBuilder();
        var timing = wallTime is { } w ? $"wall time {w:hh\\:mm\\:ss}" : "";
        if (records.Count > 0)
        {
            var elapsed = records.Max(r => r.Finished) - records.Min(r => r.Started);
            var summed = TimeSpan.FromSeconds(records.Sum(r => r.TrainingSeconds));
            timing += (timing.Length > 0 ? "; " : "") +
                $"{Duration(elapsed)} from the first task's start to the last one's finish, {Duration(summed)} of training summed over " +
                $"{records.Count} task(s)";
        }
        var intro = $"Dataset {data.Name} ({data.Train.Count} training and {data.Test.Count} test images, input {data.InputShape}, " +
                    $"from {data.Source}); " +
                    $"{study.Seeds} seed(s) per run" + (timing.Length > 0 ? $"; {timing}." : ".");
        md.AppendLine(CultureInfo.InvariantCulture, $"# {study.Name}").AppendLine().AppendLine(intro).AppendLine();
        string[] headers = { "run", "model", "optimizer", "parameters", "s / epoch", "train accuracy", "val accuracy", "test accuracy",
            "gap train - val" };
        md.AppendLine("| " + string.Join(" | ", headers) + " |")
            .AppendLine("|" + string.Concat(headers.Select((_, i) => i < 3 ? " --- |" : " ---: |")));
        foreach (var (run, results) in runs)
        {
            string[] cells =
            {
                Cell(run.Name), Cell(run.Model.ToString()), run.Optimizer,
                    results[0].Parameters.ToString("N0", CultureInfo.InvariantCulture),
                MeanStd(results.Select(r => r.SecondsPerEpoch).ToList(), "F1"), MeanStd(results.Select(r => r.FinalAccuracy).ToList()),
                MeanStd(results.Select(r => r.FinalValAccuracy).ToList()), MeanStd(results.Select(r => r.TestAccuracy).ToList()),
                MeanStd(results.Select(r => r.FinalAccuracy - r.FinalValAccuracy).ToList()),
            };
            md.AppendLine("| " + string.Join(" | ", cells) + " |");
        }
        md.AppendLine();
        if (runs.Count > 2)
        {
            var ranked = runs.OrderByDescending(x => x.Results.Average(r => r.TestAccuracy)).ToList();
            md.AppendLine("Ranking by mean test accuracy:").AppendLine();
            foreach (var (x, i) in ranked.Select((x, i) => (x, i)))
            {
                md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"{i + 1}. {Cell(x.Run.Name)}: {x.Results.Average(r => r.TestAccuracy):F4} test accuracy, " +
                    $"{x.Results[0].Parameters:N0} parameters, {x.Results.Average(r => r.SecondsPerEpoch):F1} s per epoch"));
            }
            md.AppendLine();
        }
        return md.ToString();
    }

    /// <summary>"00:41:07", or "2 d 03:10:00" past a day.</summary>
    private static string Duration(TimeSpan span) => span.TotalDays >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalDays} d {span:hh\\:mm\\:ss}")
        : span.ToString("hh\\:mm\\:ss", CultureInfo.InvariantCulture);

    /// <summary>A value for a Markdown table cell: a "|" would end the cell.</summary>
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    /// <summary>Per-class precision and recall of the best run, from its confusion matrices summed over seeds.</summary>
    private static string PerClass(RunDefinition? run, List<RunResult>? results, IReadOnlyList<string> classNames)
    {
        if (run is null || results is not { Count: > 0 } || results[0].Confusion.Length != classNames.Count)
        {
            return "";
        }
        var report = ClassificationReport.FromConfusion(ClassificationReport.Sum(results.Select(r => r.Confusion).ToList()), classNames);
        var md = new StringBuilder().Append(CultureInfo.InvariantCulture,
            $"## Per class: {Cell(run.Name)}, the best run (test set, {results.Count} seed(s) summed)\n\n");
        md.AppendLine("| class | precision | recall | F1 | test images | most often taken for |")
            .AppendLine("| --- | ---: | ---: | ---: | ---: | --- |");
        foreach (var (metrics, c) in report.Classes.Select((m, c) => (m, c)))
        {
            var confusedText = report.MostConfusedWith(c) is var (confused, count)
                ? string.Create(CultureInfo.InvariantCulture, $"{Cell(classNames[confused])} ({100.0 * count / metrics.Support:F1}%)")
                : "";
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {Cell(metrics.Name)} | {metrics.Precision:F4} | {metrics.Recall:F4} | {metrics.F1:F4} | ") +
                string.Create(CultureInfo.InvariantCulture, $"{metrics.Support / results.Count} | ") +
                confusedText + " |");
        }
        return md.AppendLine().ToString();
    }

    /// <summary>Each run's settings, so a reader sees what differs between the runs without the study file.</summary>
    internal static string Settings(IReadOnlyList<RunDefinition> runs)
    {
        var md = new StringBuilder("## Run settings\n\n");
        md.AppendLine("| run | epochs | batch | validation | optimizer | learning rate | weight decay | label smoothing | augmentation | " +
            "schedule and callbacks |")
          .AppendLine("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- | --- |");
        foreach (var run in runs)
        {
            var augmentation = run.Augmentation is { } a
                ? string.Join(", ", new[]
                {
                    a.Flip is null ? null : $"flip {a.Flip}", a.Translation > 0 ? $"translation {a.Translation:G}" : null, a.Rotation > 0
                        ? $"rotation {a.Rotation:G}" : null,
                    a.Erasing > 0 ? $"erasing {a.Erasing:G}" : null, a.Mixup > 0 ? $"mixup {a.Mixup:G}" : null, a.CutMix > 0
                        ? $"cutmix {a.CutMix:G}" : null,
                }.Concat(Declared(run, ReportColumn.Augmentation)).Where(x => x is not null))
                : "";
            var optimizer = string.Join(", ", new[] { run.Optimizer }.Concat(Declared(run, ReportColumn.Optimizer)));
            var schedule = string.Join(", ", new[]
            {
                run.Schedule is { } s ? $"{s.Type} schedule" + (s.MaxLearningRate is { } max ? $" (max {max:G})" : "") : null,
                run.EarlyStopping is { } e ? $"early stopping on {e.Monitor}, patience {e.Patience}" : null,
                run.ReduceLearningRate is { } r ? $"reduce LR on {r.Monitor} x{r.Factor:G}, patience {r.Patience}" : null,
                run.TestTimeAugmentation != Models.TestTimeAugmentation.None ? $"test-time {run.TestTimeAugmentation}" : null,
            }.Where(x => x is not null));
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {Cell(run.Name)} | {run.Training.Epochs} | {run.Training.BatchSize} | {run.Training.ValidationSplit:G} | " +
                $"{Cell(optimizer)} | " +
                $"{(run.LearningRate is { } lr ? lr.ToString("G", CultureInfo.InvariantCulture) : "default")} | " +
                $"{(run.WeightDecay is { } wd ? wd.ToString("G", CultureInfo.InvariantCulture) : "")} | " +
                $"{(run.LabelSmoothing > 0 ? run.LabelSmoothing.ToString("G", CultureInfo.InvariantCulture) : "")} | " +
                $"{Cell(augmentation)} | {Cell(schedule)} |"));
        }
        return md.AppendLine().ToString();
    }

    /// <summary>"name value" of each key the run sets in
    /// <see cref="RunDefinition.Settings"/> listed in <paramref name="column"/>.</summary>
    private static IEnumerable<string> Declared(RunDefinition run, ReportColumn column) =>
        StudyKeys.All.Where(k => k.InSettings && k.Column == column && run.Settings.ContainsKey(k.Name))
            .Select(k => k.Type == StudyKeyType.Boolean
                ? k.Name + (run.Settings[k.Name] != 0 ? "" : " false")
                : string.Create(CultureInfo.InvariantCulture, $"{k.Name} {run.Settings[k.Name]:G}"));

    /// <summary>The tasks without results yet (a report written while workers
    /// run, or after some failed), or nothing when all finished.</summary>
    private static string MissingTasks(StudyDefinition study, string folder)
    {
        var missing = Experiments.TaskStatus.Read(study, folder).Where(s => s.State != TaskState.Finished).ToList();
        if (missing.Count == 0)
        {
            return "";
        }
        var md = new StringBuilder().Append(CultureInfo.InvariantCulture,
            $"## Missing tasks\n\n{missing.Count} of {study.Runs.Count * study.Seeds} task(s) have no results yet; " +
            $"the figures above leave them out.\n\n");
        md.AppendLine("| task | run | seed | status |").AppendLine("| ---: | --- | ---: | --- |");
        foreach (var s in missing)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {s.Task.Index} | {Cell(s.Task.Run.Name)} | {s.Task.Seed} | {Cell(s.Describe())} |");
        }
        return md.AppendLine().ToString();
    }

    private static IReadOnlyList<TaskRecord> TaskRecords(string folder, IReadOnlyList<RunResult> results) =>
        results.Select(r => TaskRecord.Read(ResultsFolder.RunFolder(folder, r.Run, r.Seed))).OfType<TaskRecord>().ToList();

    private static string Comparisons(StudyDefinition study, IReadOnlyList<RunResult> results)
    {
        if (study.Comparisons.Count == 0)
        {
            return "";
        }
        var md = new StringBuilder("## Comparisons\n\n");
        var rows = new StringBuilder();
        var fewSeeds = false;
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
            md.AppendLine(CultureInfo.InvariantCulture, $"- **{Cell(comparison.Name)}**: {Verdict(comparison, test)}");
            var scale = comparison.Metric == "seconds_per_epoch" ? 1 : 100;
            var unit = comparison.Metric == "seconds_per_epoch" ? " s" : " points";
            var (low, high) = test.ConfidenceInterval();
            var interval = double.IsNaN(low) ? "n/a"
                : string.Create(CultureInfo.InvariantCulture, $"{scale * low:+0.00;-0.00} to {scale * high:+0.00;-0.00}");
            var effect = double.IsNaN(test.EffectSize) ? "n/a" : test.EffectSize.ToString("F2", CultureInfo.InvariantCulture);
            var p = double.IsNaN(test.PValue) ? "n/a" : test.PValue.ToString("F3", CultureInfo.InvariantCulture);
            rows.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {Cell(comparison.Name)} | " +
                $"{Cell(comparison.First)} - {Cell(comparison.Second)} | {comparison.Metric} | {test.Pairs} | " +
                $"{(test.Pairs == 0 ? "n/a" : Signed(scale * test.MeanDifference) + unit)} " +
                $"| {interval} | {effect} | {p} |"));
            fewSeeds |= test.Pairs < 5;
        }
        md.AppendLine()
            .AppendLine("| comparison | difference | metric | seeds | mean difference | 95% confidence interval | effect size (d_z) | p |")
          .AppendLine("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |").Append(rows).AppendLine();
        if (fewSeeds)
        {
            md.AppendLine("With fewer than 5 seeds the intervals are wide and the t-test has little power: " +
                          "a difference that is not significant may still be real, " +
                          "and the effect sizes are rough. Run the study with more seeds (--seeds) before concluding.").AppendLine();
        }
        return md.ToString();
    }

    private static double[] StdCurve(List<RunResult> results, Func<RunResult, IReadOnlyList<double>> curve)
    {
        var mean = MeanCurve(results, curve);
        return results.Count < 2 ? new double[mean.Length]
            : mean.Select((m, e) => Math.Sqrt(results.Sum(r => (curve(r)[e] - m) * (curve(r)[e] - m)) / (results.Count - 1))).ToArray();
    }

    private static double[] MeanCurve(List<RunResult> results, Func<RunResult, IReadOnlyList<double>> curve)
    {
        var length = results.Min(r => curve(r).Count);
        return Enumerable.Range(0, length).Select(e => results.Average(r => curve(r)[e])).ToArray();
    }

    /// <summary>A difference with its sign and two decimals.</summary>
    private static string Signed(double value) => value.ToString("+0.00;-0.00", CultureInfo.InvariantCulture);
}

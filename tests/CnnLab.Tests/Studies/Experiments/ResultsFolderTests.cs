using CnnLab.Data;
using CnnLab.Metrics;
using CnnLab.Studies.Experiments;
using CnnLab.Studies.Reporting;

namespace CnnLab.Tests.Studies.Experiments;

/// <summary>
/// A results folder is written once through <see cref="ResultsFolder"/> and read back only through it: the report
/// renders the recorded results, never the CSV exports beside them.
/// </summary>
public sealed class ResultsFolderTests : IDisposable
{
    private const string Study = """
        name: results
        seeds: 2
        training: {epochs: 1, batch_size: 16, validation_split: 0}
        runs:
          - {name: one, model: {blocks: [[4]], dense: []}}
          - {name: two, model: {blocks: [[2]], dense: []}}
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("cnnlab-results-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    // Test labels that do not follow the bars (every third image is called "vertical"), so every model gets some wrong
    // and the report has misclassified images to show.
    private static DataSplits Bars()
    {
        var (x, y) = TestSupport.Bars(32, seed: 1);
        var (testX, _) = TestSupport.Bars(18, seed: 2);
        var testY = TorchSharp.torch.tensor(Enumerable.Range(0, 18).Select(i => i % 3 == 0 ? 1L : 0L).ToArray());
        var classes = new[] { "horizontal", "vertical" };
        return new DataSplits("bars", new Dataset(x, y, classes), new Dataset(testX, testY, classes), "generated");
    }

    [Fact]
    public void Metrics_record_the_predicted_classes_and_the_exports_agree_with_them()
    {
        var study = StudyParser.Parse(Study);
        using var data = Bars();

        var results = new StudyRunner(study, _folder, TextWriter.Null).Run(data);

        var labels = data.Test.Labels.data<long>().ToArray();
        foreach (var result in results)
        {
            var runFolder = ResultsFolder.RunFolder(_folder, result.Run, result.Seed);
            var read = ResultsFolder.ReadMetrics(Path.Combine(runFolder, ResultsFolder.Metrics));
            Assert.Equal(18, read.Predicted!.Length);
            Assert.Equal(result.Predicted, read.Predicted);
            var report = ClassificationReport.Compute(labels, read.Predicted, data.ClassNames);
            Assert.Equal(report.Confusion, read.Confusion);
            Assert.Equal(report.Accuracy, read.TestAccuracy);
            Assert.Equal("predicted\n" + string.Join("\n", read.Predicted) + "\n",
                File.ReadAllText(Path.Combine(runFolder, ResultsFolder.PredictionsCsv)));
            Assert.Equal(string.Join("\n", read.Confusion.Select(r => string.Join(",", r))) + "\n",
                File.ReadAllText(Path.Combine(runFolder, ResultsFolder.ConfusionCsv)));
            // The predictions take one line of the indented file, not one line per test image.
            Assert.Contains($"\"Predicted\": [{string.Join(",", read.Predicted)}]",
                File.ReadAllText(Path.Combine(runFolder, ResultsFolder.Metrics)), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_report_reads_no_export_and_renders_the_same_without_them()
    {
        var study = StudyParser.Parse(Study);
        using var data = Bars();
        new StudyRunner(study, _folder, TextWriter.Null).Run(data);
        StudyReport.Write(_folder, study, ResultsFolder.ReadFinished(study, _folder), data, wallTime: null);
        var markdown = File.ReadAllText(Path.Combine(_folder, ResultsFolder.ReportMarkdown));
        var html = File.ReadAllBytes(Path.Combine(_folder, ResultsFolder.ReportHtml));
        var misclassified = File.ReadAllBytes(Path.Combine(_folder, ResultsFolder.Charts, "misclassified.png"));
        Assert.Contains("### Misclassified test images of ", markdown, StringComparison.Ordinal);

        var exports = new[]
        {
            ResultsFolder.PredictionsCsv, ResultsFolder.ConfusionCsv, ResultsFolder.HistoryCsv, ResultsFolder.HistoryJson,
        };
        foreach (var export in exports)
        {
            foreach (var file in Directory.GetFiles(_folder, export, SearchOption.AllDirectories))
            {
                File.Delete(file);
            }
        }
        Directory.Delete(Path.Combine(_folder, ResultsFolder.Charts), recursive: true);
        File.Delete(Path.Combine(_folder, ResultsFolder.ReportMarkdown));
        File.Delete(Path.Combine(_folder, ResultsFolder.ReportHtml));
        StudyReport.Write(_folder, study, ResultsFolder.ReadFinished(study, _folder), data, wallTime: null);

        Assert.Equal(markdown, File.ReadAllText(Path.Combine(_folder, ResultsFolder.ReportMarkdown)));
        Assert.Equal(html, File.ReadAllBytes(Path.Combine(_folder, ResultsFolder.ReportHtml)));
        Assert.Equal(misclassified, File.ReadAllBytes(Path.Combine(_folder, ResultsFolder.Charts, "misclassified.png")));
    }

    [Fact]
    public void The_per_class_table_is_the_classification_report_of_the_best_runs_summed_seeds()
    {
        var study = StudyParser.Parse(Study);
        using var data = Bars();
        var results = new StudyRunner(study, _folder, TextWriter.Null).Run(data);

        StudyReport.Write(_folder, study, results, data, wallTime: null);

        var best = results.GroupBy(r => r.Run).MaxBy(g => g.Average(r => r.TestAccuracy))!.ToList();
        var labels = data.Test.Labels.data<long>().ToArray();
        var pooled = ClassificationReport.Compute(
            best.SelectMany(_ => labels).ToArray(), best.SelectMany(r => r.Predicted!).ToArray(), data.ClassNames);
        var markdown = File.ReadAllText(Path.Combine(_folder, ResultsFolder.ReportMarkdown));
        foreach (var c in pooled.Classes)
        {
            var row = FormattableString.Invariant(
                $"| {c.Name} | {c.Precision:F4} | {c.Recall:F4} | {c.F1:F4} | {c.Support / best.Count} | ");
            Assert.Contains(row, markdown, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Predictions_that_do_not_fit_the_confusion_matrix_are_an_error_naming_the_file()
    {
        var path = Path.Combine(_folder, ResultsFolder.Metrics);
        File.WriteAllText(path, """
            {"Run": "a", "Seed": 1, "Accuracy": [], "ValAccuracy": [], "Loss": [], "ValLoss": [],
             "Confusion": [[1, 0], [1, 1]], "Predicted": [0, 1]}
            """);

        var message = Assert.Throws<InvalidDataException>(() => StudyRunner.ReadResult(path)).Message;

        Assert.Equal($"{path} is not a valid metrics file " +
                     "(\"Predicted\" does not hold 3 classes in [0, 2), one per test image of \"Confusion\"). " +
                     "Delete it to train that run again with `resume`.", message);
    }
}

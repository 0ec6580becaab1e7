using CnnLab.Metrics;
using CnnLab.Studies.Experiments;
using CnnLab.Studies.Reporting;
using CnnLab.Tests.Data;
using SkiaSharp;

namespace CnnLab.Tests.Studies.Experiments;

/// <summary>
/// A results folder written before metrics.json recorded the predictions (Fixtures/legacy-results, see its
/// PROVENANCE.md) is still listed, resumed and reported, with the report the CnnLab that wrote it made.
/// </summary>
public sealed class LegacyResultsTests : IDisposable
{
    // Where the fixture's study found its images when it was made; rewritten to this test's copy of them.
    private const string RecordedData = "/tmp/rfix/data";

    private readonly string _root = Directory.CreateTempSubdirectory("cnnlab-legacy-").FullName;
    private readonly string _folder;

    public LegacyResultsTests()
    {
        // The images the fixture was trained on: three classes of 50 solid 8 x 8 squares of overlapping shades.
        var data = Path.Combine(_root, "data");
        for (var i = 0; i < 50; i++)
        {
            Square(Path.Combine(data, "dark", $"{i}.png"), i * 7 % 100);
            Square(Path.Combine(data, "mid", $"{i}.png"), 70 + (i * 11 % 100));
            Square(Path.Combine(data, "light", $"{i}.png"), 150 + (i * 13 % 100));
        }
        _folder = Path.Combine(_root, "results");
        var fixture = Path.Combine(TestSupport.RepositoryRoot(), "tests", "CnnLab.Tests", "Studies", "Experiments", "Fixtures",
            "legacy-results");
        foreach (var file in Directory.GetFiles(fixture, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(_folder, Path.GetRelativePath(fixture, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
        foreach (var file in new[] { ResultsFolder.StudyCopy, ResultsFolder.StudyRecord })
        {
            var path = Path.Combine(_folder, file);
            File.WriteAllText(path, File.ReadAllText(path).Replace(RecordedData, data, StringComparison.Ordinal));
        }
    }

    public void Dispose() => Directory.Delete(_root, true);

    private static void Square(string path, int shade) => Fixtures.Image(path, 8, 8, new SKColor((byte)shade, (byte)shade, (byte)shade));

    [Fact]
    public void An_old_folder_takes_its_predictions_from_predictions_csv_and_reports_as_before()
    {
        var study = StudyFolder.ReadStudy(_folder);
        var results = StudyFolder.FinishedResults(study, _folder);
        using var data = StudyData.Open(study);

        StudyReport.Write(_folder, study, results, data.Splits, wallTime: null);

        Assert.Equal(4, results.Count);
        var metrics = File.ReadAllText(Path.Combine(_folder, "small", "seed-1", ResultsFolder.Metrics));
        Assert.DoesNotContain("\"Predicted\"", metrics, StringComparison.Ordinal);
        foreach (var result in results)
        {
            var runFolder = ResultsFolder.RunFolder(_folder, result.Run, result.Seed);
            var csv = File.ReadAllLines(Path.Combine(runFolder, ResultsFolder.PredictionsCsv));
            Assert.Equal(csv.Skip(1).Select(long.Parse), result.Predicted!);
            var labels = data.Splits.Test.Labels.data<long>().ToArray();
            Assert.Equal(result.Confusion, ClassificationReport.Compute(labels, result.Predicted!, data.Splits.ClassNames).Confusion);
        }
        // Lines of the report the old CnnLab wrote for this folder.
        var report = File.ReadAllText(Path.Combine(_folder, ResultsFolder.ReportMarkdown));
        Assert.Contains("| small | vgg [4] | adam | 659 | 0.0 ± 0.0 | 0.6611 ± 0.0864 | 0.6167 ± 0.0236 | 0.6333 ± 0.0000 | " +
                        "0.0444 ± 0.0629 |", report, StringComparison.Ordinal);
        Assert.Contains("| wider | vgg [8] | adam | 1,283 | 0.0 ± 0.0 | 0.7444 ± 0.1257 | 0.7333 ± 0.0471 | 0.7500 ± 0.1179 | " +
                        "0.0111 ± 0.1728 |", report, StringComparison.Ordinal);
        Assert.Contains("""
            ## Per class: wider, the best run (test set, 2 seed(s) summed)

            | class | precision | recall | F1 | test images | most often taken for |
            | --- | ---: | ---: | ---: | ---: | --- |
            | dark | 0.9000 | 0.9000 | 0.9000 | 10 | mid (10.0%) |
            | light | 0.8000 | 0.6000 | 0.6857 | 10 | mid (40.0%) |
            | mid | 0.6000 | 0.7500 | 0.6667 | 10 | light (15.0%) |
            """, report, StringComparison.Ordinal);
        Assert.Contains("| small vs wider | small - wider | test_accuracy | 2 | -11.67 points | -117.55 to +94.22 | -0.99 | 0.395 |",
            report, StringComparison.Ordinal);
        Assert.Contains("### Misclassified test images of wider, seed 1 (true → predicted)", report, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_folder, ResultsFolder.Charts, "misclassified.png")));
    }

    [Fact]
    public void An_old_folder_is_listed_as_finished_and_resumed_without_training()
    {
        var study = StudyFolder.ReadStudy(_folder);
        using var data = StudyData.Open(study);
        var log = new StringWriter();

        var results = new StudyRunner(study, _folder, log).Run(data.Splits);

        Assert.All(CnnLab.Studies.Experiments.TaskStatus.Read(study, _folder), s => Assert.Equal(TaskState.Finished, s.State));
        Assert.Equal(4, log.ToString().Split("already finished, skipped").Length - 1);
        Assert.Equal(new[] { 0.6333333333333333, 0.6333333333333333 }, results.Where(r => r.Run == "small").Select(r => r.TestAccuracy));
        Assert.Empty(Directory.GetFiles(_folder, ResultsFolder.Model, SearchOption.AllDirectories));
    }

    [Fact]
    public void A_damaged_predictions_csv_of_an_old_folder_costs_the_misclassified_images_not_the_report()
    {
        File.WriteAllText(Path.Combine(_folder, "wider", "seed-1", ResultsFolder.PredictionsCsv), "predicted\n1\nnot a class\n");
        var study = StudyFolder.ReadStudy(_folder);

        var results = StudyFolder.FinishedResults(study, _folder);
        using var data = StudyData.Open(study);
        StudyReport.Write(_folder, study, results, data.Splits, wallTime: null);

        Assert.Null(results.Single(r => r.Run == "wider" && r.Seed == 1).Predicted);
        var report = File.ReadAllText(Path.Combine(_folder, ResultsFolder.ReportMarkdown));
        Assert.DoesNotContain("Misclassified", report, StringComparison.Ordinal);
        Assert.Contains("## Per class: wider", report, StringComparison.Ordinal);
    }

    [Fact]
    public void A_study_record_with_a_negative_seed_count_is_refused_naming_the_key()
    {
        var record = Path.Combine(_folder, ResultsFolder.StudyRecord);
        File.WriteAllText(record, File.ReadAllText(record).Replace("\"Seeds\": 2,", "\"Seeds\": -5,", StringComparison.Ordinal));

        var (code, output, error) = Cli.CliRunner.Run("study", "report", _folder);

        Assert.Equal((1, ""), (code, output));
        Assert.Equal($"error: {record}: \"Seeds\" is -5; expected a whole number from 1 to 10,000. " +
                     "The folder's study record is damaged.\n", error);
    }

    [Fact]
    public void A_task_record_claiming_1e300_seconds_counts_as_unreadable_and_the_report_is_written()
    {
        var task = Path.Combine(_folder, "small", "seed-1", "task.json");
        var text = File.ReadAllText(task);
        var start = text.IndexOf("\"training_seconds\":", StringComparison.Ordinal);
        var end = text.IndexOfAny(new[] { ',', '\n', '}' }, start + "\"training_seconds\":".Length);
        File.WriteAllText(task, text[..start] + "\"training_seconds\": 1e300" + text[end..]);

        var (code, _, error) = Cli.CliRunner.Run("study", "report", _folder);

        Assert.True(code == 0, error);
        Assert.Null(TaskRecord.Read(Path.GetDirectoryName(task)!));
        Assert.Contains("of training summed over 3 task(s)", File.ReadAllText(Path.Combine(_folder, "report.md")));
    }

    /// <summary>
    /// The files of a shared results folder are input: bounded seeded mutations of study.json, a metrics.json and a
    /// task.json each end in a report or in one error naming the file, never in another exception.
    /// </summary>
    [Fact]
    public void Mutated_results_files_are_reported_or_refused_naming_the_file()
    {
        var files = new[]
        {
            Path.Combine(_folder, ResultsFolder.StudyRecord), Path.Combine(_folder, "small", "seed-1", "metrics.json"),
            Path.Combine(_folder, "wider", "seed-2", "task.json"),
        };
        var originals = files.ToDictionary(f => f, File.ReadAllBytes);
        var random = new Random(23);
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < 24; i++)
        {
            var target = files[i % files.Length];
            var bytes = (byte[])originals[target].Clone();
            if (i % 2 == 0)
            {
                for (var k = 0; k < 1 + random.Next(6); k++)
                {
                    bytes[random.Next(bytes.Length)] = (byte)"0123456789-.e:,\"{}[]xE+"[random.Next(24)];
                }
            }
            else
            {
                bytes = bytes[..random.Next(bytes.Length)];
            }
            File.WriteAllBytes(target, bytes);
            try
            {
                var study = StudyFolder.ReadStudy(_folder);
                var results = StudyFolder.FinishedResults(study, _folder);
                using var data = StudyData.Open(study);
                StudyReport.Write(_folder, study, results, data.Splits, wallTime: null);
                outcomes["reported"] = outcomes.GetValueOrDefault("reported") + 1;
            }
            catch (Exception e) when (e is InvalidDataException or StudyFileException)
            {
                Assert.Contains(_folder, e.Message, StringComparison.Ordinal);
                outcomes["refused"] = outcomes.GetValueOrDefault("refused") + 1;
            }
            File.WriteAllBytes(target, originals[target]);
        }

        Assert.Equal(24, outcomes.Values.Sum());
    }
}

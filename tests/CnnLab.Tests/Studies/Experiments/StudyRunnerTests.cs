using CnnLab.Data;
using CnnLab.Studies.Experiments;
using CnnLab.Studies.Reporting;
using CnnLab.Training;

namespace CnnLab.Tests.Studies.Experiments;

/// <summary>A whole study on generated data: the regularization and recipe
/// keys reach training, and runs without validation report cleanly.</summary>
public sealed class StudyRunnerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cnnlab-study-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    [Fact]
    public void A_study_with_regularization_augmentation_callbacks_and_no_validation_runs_and_reports()
    {
        var study = StudyParser.Parse("""
            name: recipe
            training: {epochs: 3, batch_size: 16, validation_split: 0}
            runs:
              - name: plain
                model: {blocks: [[4]], dense: []}
              - name: everything
                model: {blocks: [[4]], dense: [8], dropout: 0.2, spatial_dropout: 0.1, gaussian_noise: 0.05, l2: 0.001,
                        batch_norm: before, activation: relu}
                optimizer: adamw
                label_smoothing: 0.1
                augmentation: {random_flip: horizontal, random_translation: 0.1, random_erasing: 0.5, mixup: 0.2}
                callbacks: {early_stopping: {monitor: loss, patience: 5}, reduce_lr_on_plateau: {monitor: loss, patience: 1, factor: 0.5}}
                schedule: {type: cosine, warmup_epochs: 1}
            """);
        var (x, y) = TestSupport.Bars(64, seed: 1);
        var (testX, testY) = TestSupport.Bars(32, seed: 2);
        using var data = new DataSplits("bars", new Dataset(x, y, new[] { "horizontal", "vertical" }),
            new Dataset(testX, testY, new[] { "horizontal", "vertical" }), "generated");

        var results = new StudyRunner(study, _folder, TextWriter.Null).Run(data);
        StudyReport.Write(_folder, study, results, data, TimeSpan.FromSeconds(1));

        Assert.Equal(new[] { "plain", "everything" }, results.Select(r => r.Run));
        Assert.All(results, r => Assert.Equal(3, r.Epochs));
        var history = File.ReadAllLines(Path.Combine(new StudyRunner(study, _folder).RunFolder("everything", 1), "history.csv"));
        Assert.Equal("epoch,loss,accuracy,learning_rate,seconds", history[0]);
        var report = File.ReadAllText(Path.Combine(_folder, "report.md"));
        Assert.Contains("| everything |", report, StringComparison.Ordinal);
        Assert.Contains("n/a", report, StringComparison.Ordinal);
        Assert.DoesNotContain("NaN", report, StringComparison.Ordinal);
    }

    [Fact]
    public void The_test_loss_counts_label_smoothing_and_the_penalty_as_val_loss_does()
    {
        var study = StudyParser.Parse("""
            training: {epochs: 1, batch_size: 8, validation_split: 0.5}
            runs:
              - {name: smooth, model: {blocks: [[4]], dense: [], l2: 0.01}, label_smoothing: 0.2}
            """);
        var (x, y) = TestSupport.Bars(40, seed: 1);
        // The test split is the validation fraction itself (the last 20 images), so the two losses must agree.
        using var data = new DataSplits("bars", new Dataset(x, y, new[] { "h", "v" }),
            new Dataset(x.narrow(0, 20, 20).clone(), y.narrow(0, 20, 20).clone(), new[] { "h", "v" }), "generated");

        var result = new StudyRunner(study, _folder, TextWriter.Null).Run(data).Single();

        Assert.Equal(result.FinalValLoss, result.TestLoss, 5);
        Assert.Equal(result.FinalValAccuracy, result.TestAccuracy, 10);
    }

    [Fact]
    public void Numbers_are_formatted_as_Keras_and_the_report_shows_missing_metrics_as_n_a()
    {
        Assert.Equal("1.0000e-03", ProgressLogger.FormatValue(0.001)); // Keras: 4 decimals only above 1e-3
        Assert.Equal("0.0020", ProgressLogger.FormatValue(0.002));
        Assert.Equal("4.0000e-08", ProgressLogger.FormatValue(4e-8));
        Assert.Equal("0.9125", ProgressLogger.FormatValue(0.9125));
        Assert.Equal("n/a", StudyReport.MeanStd(new[] { double.NaN, double.NaN }));
        Assert.Equal("0.5000 ± 0.1414", StudyReport.MeanStd(new[] { 0.4, 0.6 }));
    }
}

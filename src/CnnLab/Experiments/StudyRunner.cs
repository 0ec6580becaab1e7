using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CnnLab.Data;
using CnnLab.Models;
using CnnLab.Optimizers;
using CnnLab.Reporting;
using CnnLab.Training;
using static TorchSharp.torch;

namespace CnnLab.Experiments;

/// <summary>
/// Runs every run of a study with every seed, writing each result as soon as it exists (atomically), so an
/// interrupted study keeps what it finished: <c>--resume</c> skips finished runs and continues the run in progress
/// from its last completed epoch (an epoch checkpoint). Prints "run k of n, seed, epoch, ETA".
/// </summary>
public sealed class StudyRunner
{
    // A run without validation has NaN validation metrics; JSON keeps them as "NaN" rather than failing.
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };
    private readonly StudyDefinition _study;
    private readonly string _outputFolder;
    private readonly TextWriter _log;

    /// <summary>Creates a runner writing into <paramref name="outputFolder"/>.</summary>
    public StudyRunner(StudyDefinition study, string outputFolder, TextWriter? log = null)
    {
        _study = study;
        _outputFolder = outputFolder;
        _log = log ?? Console.Out;
    }

    /// <summary>
    /// Builds every run's model for the data before anything trains, so a layer that cannot fit its input stops the
    /// study at once with the run's name, not hours in.
    /// </summary>
    public void Validate(DataSplits data)
    {
        foreach (var run in _study.Runs)
        {
            try
            {
                using var model = RunRecipe.CompiledModel(run, data.InputShape, data.Train.ClassCount, seed: 0);
                foreach (var layer in RunRecipe.Augmentation(run))
                {
                    using (layer)
                    {
                        layer.Build(data.InputShape);
                    }
                }
                RunRecipe.BatchMix(run)?.Dispose();
                foreach (var callback in RunRecipe.Callbacks(run).OfType<IDisposable>())
                {
                    callback.Dispose();
                }
            }
            catch (ArgumentException e)
            {
                throw new StudyFileException($"{_study.Name}: run \"{run.Name}\" cannot be built for input {data.InputShape} and {data.Train.ClassCount} classes: {e.Message}");
            }
        }
    }

    /// <summary>Runs what is not finished yet and returns every result, finished before or now.</summary>
    public IReadOnlyList<RunResult> Run(DataSplits data)
    {
        Validate(data);
        Directory.CreateDirectory(_outputFolder);
        AtomicFile.WriteText(Path.Combine(_outputFolder, "study.json"), JsonSerializer.Serialize(_study, Json));
        var jobs = _study.Runs.SelectMany(r => Enumerable.Range(1, _study.Seeds).Select(s => (Run: r, Seed: s))).ToList();
        var results = new List<RunResult>();
        var clock = Stopwatch.StartNew();
        var epochsDone = 0;
        var epochsTotal = jobs.Sum(j => j.Run.Training.Epochs);
        var epochsSkipped = 0;
        for (var k = 0; k < jobs.Count; k++)
        {
            var (run, seed) = jobs[k];
            var folder = RunFolder(run.Name, seed);
            var metricsPath = Path.Combine(folder, "metrics.json");
            if (File.Exists(metricsPath))
            {
                results.Add(JsonSerializer.Deserialize<RunResult>(File.ReadAllText(metricsPath), Json)!);
                epochsSkipped += run.Training.Epochs;
                _log.WriteLine($"[run {k + 1}/{jobs.Count}] {run.Name}, seed {seed}: already finished, skipped");
                continue;
            }
            var progress = new StudyProgress(_log, k + 1, jobs.Count, run.Name, seed, () =>
            {
                epochsDone++;
                var rate = clock.Elapsed.TotalSeconds / epochsDone;
                return TimeSpan.FromSeconds(rate * (epochsTotal - epochsSkipped - epochsDone));
            });
            results.Add(RunOne(run, seed, data, folder, progress));
        }
        return results;
    }

    /// <summary>Folder of one run and seed: a file-system-safe slug of the run name.</summary>
    public string RunFolder(string run, int seed) => Path.Combine(_outputFolder, Slug(run), $"seed-{seed}");

    /// <summary>A file-system-safe, lower-case name: letters and digits joined by single dashes.</summary>
    public static string Slug(string name)
    {
        var slug = new StringBuilder();
        foreach (var c in name.ToLowerInvariant())
        {
            slug.Append(char.IsLetterOrDigit(c) ? c : '-');
        }
        return string.Join("-", slug.ToString().Split('-', StringSplitOptions.RemoveEmptyEntries));
    }

    private RunResult RunOne(RunDefinition run, int seed, DataSplits data, string folder, Callback progress)
    {
        Directory.CreateDirectory(folder);
        using var model = RunRecipe.CompiledModel(run, data.InputShape, data.Train.ClassCount, seed);
        model.ClassNames = data.ClassNames;
        model.TrainingDataset = data.Spec;
        model.InputStandardization = data.Standardization;
        var augmentation = RunRecipe.Augmentation(run);
        using var batchMix = RunRecipe.BatchMix(run);
        var callbacks = RunRecipe.Callbacks(run);
        History history;
        try
        {
            history = model.Fit(data.Train.Images, data.Train.Labels,
                RunRecipe.FitOptions(run, seed, augmentation, batchMix, callbacks.Append(progress), Path.Combine(folder, "checkpoint")));
        }
        finally
        {
            foreach (var disposable in augmentation.Cast<IDisposable>().Concat(callbacks.OfType<IDisposable>()))
            {
                disposable.Dispose();
            }
        }
        var (testLoss, testAccuracy, confusion, predicted) = Test(model, data.Test, run.Training.BatchSize, run.TestTimeAugmentation);
        var valAccuracy = history.ValAccuracy.Count > 0 ? history.ValAccuracy : history.Accuracy;
        var best = valAccuracy.Select((v, i) => (v, i)).MaxBy(x => x.v);
        var result = new RunResult(
            run.Name, seed, model.ParamCount, history.Epochs, history.EpochSeconds.Average(),
            history.Loss[^1], history.Accuracy[^1], Last(history.ValLoss), Last(history.ValAccuracy), best.v, best.i + 1,
            testLoss, testAccuracy, history.Accuracy, history.ValAccuracy, history.Loss, history.ValLoss, confusion);

        AtomicFile.WriteText(Path.Combine(folder, "history.csv"), HistoryCsv(history));
        AtomicFile.WriteText(Path.Combine(folder, "history.json"), JsonSerializer.Serialize(
            history.Values.ToDictionary(kv => kv.Key, kv => kv.Value).Append(new("seconds", history.EpochSeconds.ToList())).ToDictionary(), Json));
        AtomicFile.WriteText(Path.Combine(folder, "predictions.csv"), "predicted\n" + string.Join("\n", predicted) + "\n");
        AtomicFile.WriteText(Path.Combine(folder, "confusion.csv"),
            string.Join("\n", confusion.Select(row => string.Join(",", row))) + "\n");
        model.Save(Path.Combine(folder, "model.safetensors"));
        // metrics.json last: its presence is what marks the run as finished for --resume.
        AtomicFile.WriteText(Path.Combine(folder, "metrics.json"), JsonSerializer.Serialize(result, Json));
        Directory.Delete(Path.Combine(folder, "checkpoint"), recursive: true);
        return result;
    }

    private static double Last(IReadOnlyList<double> values) => values.Count > 0 ? values[^1] : double.NaN;

    /// <summary>One pass over the test set: loss (from the probabilities, clipped as Keras does), accuracy and confusion matrix.</summary>
    private static (double Loss, double Accuracy, long[][] Confusion, long[] Predicted) Test(Sequential model, Dataset test, int batchSize, TestTimeAugmentation augmentation)
    {
        var classes = test.ClassCount;
        var matrix = Enumerable.Range(0, classes).Select(_ => new long[classes]).ToArray();
        using var scope = NewDisposeScope();
        var probabilities = model.Predict(test.Images, batchSize, augmentation);
        var loss = SparseCategoricalCrossentropy.FromProbabilities(probabilities, test.Labels).item<float>();
        var predicted = probabilities.argmax(1).data<long>().ToArray();
        var actual = test.Labels.data<long>().ToArray();
        var correct = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            matrix[actual[i]][predicted[i]]++;
            correct += actual[i] == predicted[i] ? 1 : 0;
        }
        return (loss, (double)correct / actual.Length, matrix, predicted);
    }

    private static string HistoryCsv(History history)
    {
        var names = history.Values.Keys.ToList();
        var text = new StringBuilder("epoch," + string.Join(",", names) + ",seconds\n");
        for (var e = 0; e < history.Epochs; e++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{e + 1}");
            foreach (var name in names)
            {
                text.Append(CultureInfo.InvariantCulture, $",{history.Values[name][e]:R}");
            }
            text.Append(CultureInfo.InvariantCulture, $",{history.EpochSeconds[e]:F3}\n");
        }
        return text.ToString();
    }
}

using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CnnLab.Data;
using CnnLab.Engine;
using CnnLab.Formats;
using CnnLab.Metrics;
using CnnLab.Models;
using CnnLab.Optimizers;
using CnnLab.Studies.Reporting;
using CnnLab.Training;
using static TorchSharp.torch;

namespace CnnLab.Studies.Experiments;

/// <summary>
/// Runs every run of a study with every seed, writing each result as soon as it exists (atomically), so an
/// interrupted study keeps what it finished: <c>--resume</c> skips finished runs and continues the run in progress
/// from its last completed epoch (an epoch checkpoint). Prints "run k of n, seed, epoch, ETA".
/// </summary>
public sealed class StudyRunner
{
    // A run without validation has NaN validation metrics; JSON keeps them as "NaN" rather than failing.
    private static readonly JsonSerializerOptions Json =
        new() { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };
    private readonly StudyDefinition _study;
    private readonly string _outputFolder;
    private readonly TextWriter _log;
    private readonly IReadOnlySet<string>? _only;
    private readonly IReadOnlySet<int>? _tasks;

    /// <summary>
    /// Creates a runner writing into <paramref name="outputFolder"/>. <paramref name="only"/> names the runs to train
    /// (all when null), or <paramref name="tasks"/> the run-seeds, by <see cref="StudyTask"/> index; the folder still
    /// records the whole study, so other workers, or a later run of the others, share it.
    /// </summary>
    public StudyRunner(StudyDefinition study, string outputFolder, TextWriter? log = null, IEnumerable<string>? only = null,
        IEnumerable<int>? tasks = null)
    {
        if (StudyLimits.CheckRunSeeds(study.Runs.Count, study.Seeds) is { } tooMany)
        {
            throw new StudyFileException($"{study.Name}: {tooMany}.");
        }
        var unknown = only?.FirstOrDefault(o => study.Runs.All(r => r.Name != o));
        if (unknown is not null)
        {
            throw new ArgumentException($"`only` names run \"{unknown}\", which is not in the study. Runs: " +
                $"{string.Join(", ", study.Runs.Select(r => $"\"{r.Name}\""))}.");
        }
        _study = study;
        _outputFolder = outputFolder;
        _log = log ?? Console.Out;
        _only = only?.ToHashSet(StringComparer.Ordinal);
        _tasks = tasks?.ToHashSet();
        if (_only is not null && _tasks is not null)
        {
            throw new ArgumentException("`only` and `tasks` both choose what to train; give one of them.");
        }
    }

    /// <summary>The run-seeds this runner trains, by index in the whole study.</summary>
    public IReadOnlyList<StudyTask> SelectedTasks => StudyTask.All(_study)
        .Where(t => (_only is null || _only.Contains(t.Run.Name)) && (_tasks is null || _tasks.Contains(t.Index))).ToList();

    /// <summary>The runs this runner trains: the study's, or those named by <c>only</c>.</summary>
    public IReadOnlyList<RunDefinition> SelectedRuns => _study.Runs.Where(r => SelectedTasks.Any(t => t.Run == r)).ToList();

    /// <summary>
    /// Builds every run's model for the data before anything trains, so a layer that cannot fit its input stops the
    /// study at once with the run's name, not hours in.
    /// </summary>
    public void Validate(DataSplits data)
    {
        foreach (var run in SelectedRuns)
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
                throw new StudyFileException($"{_study.Name}: run \"{run.Name}\" cannot be built for input {data.InputShape} and " +
                    $"{data.Train.ClassCount} classes: {e.Message}");
            }
        }
    }

    /// <summary>
    /// Records the resolved study (the file with the command line's overrides) in the folder, or, when the folder
    /// already has one, checks that it is the same study: results of other settings must not be reused as if they
    /// were this study's. Throws naming the first difference.
    /// </summary>
    public void ClaimFolder()
    {
        if (!CheckFolder())
        {
            Directory.CreateDirectory(_outputFolder);
            AtomicFile.WriteText(Path.Combine(_outputFolder, "study.json"), StudyDifference.Record(_study, Json).ToJsonString(Json));
        }
    }

    /// <summary>
    /// Whether the folder already records a study, after checking it is this one (throws naming the first difference
    /// otherwise); writes nothing.
    /// </summary>
    public bool CheckFolder()
    {
        var path = Path.Combine(_outputFolder, "study.json");
        if (!File.Exists(path))
        {
            return false;
        }
        JsonNode? recorded;
        try
        {
            recorded = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON ({e.Message}); it should hold the study these results belong to. " +
                $"Start a new results folder.");
        }
        if (StudyDifference.VersionOf(recorded) is var version && version > Schema.StudySchema.Version)
        {
            throw new StudyFileException(
                $"The results in {_outputFolder} were written by a newer CnnLab (study schema version {version}; this one reads up to " +
                $"{Schema.StudySchema.Version}). Resume them with that CnnLab, or use a new `outputFolder`.");
        }
        if (StudyDifference.Resumable(recorded, StudyDifference.Record(_study, Json)) is { } difference)
        {
            throw new StudyFileException(
                $"The results in {_outputFolder} belong to a different study: {difference}. Resume with the same study file and options, " +
                $"or use a new `outputFolder`.");
        }
        return true;
    }

    /// <summary>Runs what is not finished yet and returns every result of the selected runs, finished before or now.</summary>
    public IReadOnlyList<RunResult> Run(DataSplits data)
    {
        Validate(data);
        ClaimFolder();
        var jobs = SelectedTasks.Select(t => (t.Run, t.Seed)).ToList();
        var results = new RunResult?[jobs.Count];
        var clock = Stopwatch.StartNew();
        var epochsDone = 0;
        var epochsTotal = jobs.Sum(j => j.Run.Training.Epochs);
        var epochsSkipped = 0;
        var busy = new List<int>();
        for (var k = 0; k < jobs.Count; k++)
        {
            var (run, seed) = jobs[k];
            using var runLock = RunLock.TryAcquire(RunFolder(run.Name, seed));
            if (runLock is null)
            {
                _log.WriteLine($"[run {k + 1}/{jobs.Count}] {run.Name}, seed {seed}: " +
                    $"in progress in {RunLock.Holder(RunFolder(run.Name, seed))}; skipped for now");
                busy.Add(k);
                continue;
            }
            results[k] = RunOrReuse(k, jobs.Count, run, seed, data, ref epochsSkipped, () =>
            {
                epochsDone++;
                var rate = clock.Elapsed.TotalSeconds / epochsDone;
                return TimeSpan.FromSeconds(rate * (epochsTotal - epochsSkipped - epochsDone));
            });
        }
        // What another process was training: wait for it, then take its result, or continue its checkpoint if it died.
        foreach (var k in busy)
        {
            var (run, seed) = jobs[k];
            var folder = RunFolder(run.Name, seed);
            _log.WriteLine($"[run {k + 1}/{jobs.Count}] {run.Name}, seed {seed}: waiting for {RunLock.Holder(folder)} to finish it");
            RunLock? runLock;
            while ((runLock = RunLock.TryAcquire(folder)) is null)
            {
                Thread.Sleep(LockPollInterval);
            }
            using (runLock)
            {
                results[k] = RunOrReuse(k, jobs.Count, run, seed, data, ref epochsSkipped, () => TimeSpan.Zero);
            }
        }
        return results.Select(r => r!).ToList();
    }

    /// <summary>How often a runner checks whether another process has finished a run it waits for.</summary>
    public static TimeSpan LockPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    // Under the run's lock: a finished run (its metrics) is read, anything else trains, from its checkpoint if it has one.
    private RunResult RunOrReuse(int k, int count, RunDefinition run, int seed, DataSplits data, ref int epochsSkipped,
        Func<TimeSpan> remaining)
    {
        var folder = RunFolder(run.Name, seed);
        if (ResultsFolder.IsFinished(folder))
        {
            epochsSkipped += run.Training.Epochs;
            _log.WriteLine($"[run {k + 1}/{count}] {run.Name}, seed {seed}: already finished, skipped");
            return ReadResult(Path.Combine(folder, ResultsFolder.Metrics));
        }
        if (Training.EpochCheckpoint.CompletedEpochs(Path.Combine(folder, ResultsFolder.Checkpoint)) is > 0 and var done)
        {
            _log.WriteLine($"[run {k + 1}/{count}] {run.Name}, seed {seed}: continuing from its checkpoint after epoch " +
                $"{done}/{run.Training.Epochs}");
        }
        return RunOne(run, seed, data, folder, new StudyProgress(_log, k + 1, count, run.Name, seed, remaining, folder));
    }

    /// <summary>A finished run's metrics file (<see cref="ResultsFolder.ReadMetrics"/>); a damaged one is an error naming it.</summary>
    public static RunResult ReadResult(string path) => ResultsFolder.ReadMetrics(path);

    /// <summary>Folder of one run and seed: a file-system-safe slug of the run name.</summary>
    public string RunFolder(string run, int seed) => ResultsFolder.RunFolder(_outputFolder, run, seed);

    /// <summary>Folder of one run and seed in the results folder <paramref name="outputFolder"/>.</summary>
    public static string RunFolder(string outputFolder, string run, int seed) => ResultsFolder.RunFolder(outputFolder, run, seed);

    /// <summary>A file-system-safe, lower-case name: letters and digits joined by dashes (<see cref="ResultsFolder.Slug"/>).</summary>
    public static string Slug(string name) => ResultsFolder.Slug(name);

    private RunResult RunOne(RunDefinition run, int seed, DataSplits data, string folder, Callback progress)
    {
        Directory.CreateDirectory(folder);
        TaskRecord.MarkStarted(folder);
        using var model = RunRecipe.CompiledModel(run, data.InputShape, data.Train.ClassCount, seed);
        model.ClassNames = data.ClassNames;
        model.TrainingDataset = data.Spec;
        if (_study.Dataset.Standardize)
        {
            // The model's first layer, so the saved model standardises what it is given wherever it runs.
            model.StandardizeInputs(data.Train.Images);
        }
        var augmentation = RunRecipe.Augmentation(run);
        using var batchMix = RunRecipe.BatchMix(run);
        var callbacks = RunRecipe.Callbacks(run);
        History history;
        try
        {
            history = model.Fit(data.Train.Images, data.Train.Labels,
                RunRecipe.FitOptions(run, seed, augmentation, batchMix, callbacks.Append(progress),
                    Path.Combine(folder, ResultsFolder.Checkpoint)));
        }
        finally
        {
            foreach (var disposable in augmentation.Cast<IDisposable>().Concat(callbacks.OfType<IDisposable>()))
            {
                disposable.Dispose();
            }
        }
        // Tested as it trained: Keras' dtype policy holds for the whole model.
        (double, ClassificationReport, long[]) tested;
        using (MixedPrecision.Use(history.Precision))
        {
            tested = Test(model, data.Test, run.Training.BatchSize, run.TestTimeAugmentation);
        }
        var (testLoss, test, predicted) = tested;
        var valAccuracy = history.ValAccuracy.Count > 0 ? history.ValAccuracy : history.Accuracy;
        var best = valAccuracy.Select((v, i) => (v, i)).MaxBy(x => x.v);
        var result = new RunResult(
            run.Name, seed, model.ParamCount, history.Epochs, history.EpochSeconds.Average(),
            history.Loss[^1], history.Accuracy[^1], Last(history.ValLoss), Last(history.ValAccuracy), best.v, best.i + 1,
            testLoss, test.Accuracy, history.Accuracy, history.ValAccuracy, history.Loss, history.ValLoss, test.Confusion, predicted,
            history.Values.TryGetValue("threads", out var threads) ? threads : null,
            history.Precision == Precision.Float32 ? null : MixedPrecision.Name(history.Precision));
        ResultsFolder.WriteRun(folder, result, history, model, history.EpochSeconds.Sum());
        Directory.Delete(Path.Combine(folder, ResultsFolder.Checkpoint), recursive: true);
        return result;
    }

    private static double Last(IReadOnlyList<double> values) => values.Count > 0 ? values[^1] : double.NaN;

    /// <summary>
    /// The test set: the loss as <see cref="KerasModel.Evaluate"/> reports it (Keras' model.evaluate: with label
    /// smoothing and the regularization penalty, like val_loss, so the two compare), the classification report of the
    /// predicted classes (accuracy, confusion matrix) and the predicted classes themselves.
    /// </summary>
    private static (double Loss, ClassificationReport Report, long[] Predicted) Test(KerasModel model, Dataset test, int batchSize,
        TestTimeAugmentation augmentation)
    {
        using var scope = NewDisposeScope();
        var probabilities = model.Predict(test.Images, batchSize, augmentation);
        var loss = model.Evaluate(test.Images, test.Labels, batchSize, augmentation).Loss;
        var predicted = probabilities.argmax(1).data<long>().ToArray();
        return (loss, ClassificationReport.Compute(test.Labels.data<long>().ToArray(), predicted, test.ClassNames), predicted);
    }
}

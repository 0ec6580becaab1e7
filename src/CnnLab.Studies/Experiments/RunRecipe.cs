using CnnLab.Core;
using CnnLab.Layers;
using CnnLab.Models;
using CnnLab.Optimizers;
using CnnLab.Studies.Experiments.Schema;
using CnnLab.Training;
using CnnLab.Training.Augmentation;
using CnnLab.Training.Callbacks;
using CnnLab.Training.Schedules;

namespace CnnLab.Studies.Experiments;

/// <summary>
/// Turns a run of a study file into the objects training takes: the model, the optimizer, the augmentation layers,
/// the batch mix and the callbacks. Used by <see cref="StudyRunner"/> and by benchmarks that train a study's recipe.
/// </summary>
public static class RunRecipe
{
    /// <summary>The run's model for an input shape and a number of classes, with initial weights from the seed (not compiled).</summary>
    public static KerasModel Model(RunDefinition run, Shape inputShape, int classes, long seed) => run.Model switch
    {
        { NamedModel: { } named } => NotebookModels.Get(named).Build(inputShape, classes, seed),
        { LayerList: { } list } => list.Build(inputShape, classes, seed),
        { File: { } file } => file.Build(inputShape, classes, seed),
        { ResNet: { } resnet } => resnet.Build(inputShape, classes, seed),
        _ => run.Model.Template!.Build(inputShape, classes, seed),
    };

    /// <summary>The run's model compiled with its optimizer and label smoothing.</summary>
    public static KerasModel CompiledModel(RunDefinition run, Shape inputShape, int classes, long seed)
    {
        var model = Model(run, inputShape, classes, seed);
        model.Compile(Optimizer(run), labelSmoothing: run.LabelSmoothing);
        return model;
    }

    /// <summary>The optimizer with the run's name, learning rate and weight decay, and the run keys that set more on it.</summary>
    public static Optimizer Optimizer(RunDefinition run)
    {
        var optimizer = OptimizerCatalog.Get(run.Optimizer, run.LearningRate, run.WeightDecay);
        foreach (var key in StudyKeys.Of("run").Where(k => k.Optimizer is not null))
        {
            if (run.Settings.TryGetValue(key.Name, out var value))
            {
                key.Optimizer!(optimizer, value);
            }
        }
        return optimizer;
    }

    /// <summary>
    /// The run's augmentation layers, in the order flip, translation, rotation, the augmentation keys declared with a
    /// layer (in their order in <see cref="StudyKeys"/>), erasing last: it cuts its rectangle out of the final image.
    /// </summary>
    public static IReadOnlyList<Layer> Augmentation(RunDefinition run)
    {
        var layers = new List<Layer>();
        if (run.Augmentation is not { } a)
        {
            return layers;
        }
        if (a.Flip is { } flip)
        {
            layers.Add(new RandomFlip(flip));
        }
        if (a.Translation > 0)
        {
            layers.Add(new RandomTranslation(a.Translation, a.Translation));
        }
        if (a.Rotation > 0)
        {
            layers.Add(new RandomRotation(a.Rotation));
        }
        foreach (var key in StudyKeys.Of("augmentation").Where(k => k.Layer is not null))
        {
            if (run.Settings.TryGetValue(key.Name, out var value))
            {
                layers.Add(key.Layer!(value));
            }
        }
        if (a.Erasing > 0)
        {
            layers.Add(new RandomErasing(a.Erasing));
        }
        return layers;
    }

    /// <summary>mixup or CutMix when the run asks for one.</summary>
    public static BatchMix? BatchMix(RunDefinition run) => run.Augmentation switch
    {
        { Mixup: > 0 } a => new Mixup(a.Mixup),
        { CutMix: > 0 } a => new CutMix(a.CutMix),
        _ => null,
    };

    /// <summary>Fit's settings for the run: its training settings, seed, augmentation, batch mix and callbacks, silent.</summary>
    public static FitOptions FitOptions(RunDefinition run, long seed, IReadOnlyList<Layer> augmentation, BatchMix? batchMix,
        IEnumerable<Callback> callbacks, string? checkpointFolder = null) => new()
    {
        BatchSize = run.Training.BatchSize,
        Epochs = run.Training.Epochs,
        ValidationSplit = run.Training.ValidationSplit,
        Precision = run.Training.Precision,
        Seed = seed,
        Verbose = 0,
        Augmentation = augmentation,
        BatchMix = batchMix,
        Callbacks = callbacks.ToList(),
        CheckpointFolder = checkpointFolder,
    };

    /// <summary>The run's callbacks, in Keras' usual order: schedule, plateau, early stopping.</summary>
    public static IReadOnlyList<Callback> Callbacks(RunDefinition run)
    {
        var callbacks = new List<Callback>();
        if (run.Schedule is { } s)
        {
            var rate = s.MaxLearningRate ?? Optimizer(run).LearningRate;
            LearningRateSchedule schedule = s.Type switch
            {
                "one_cycle" => new OneCycle(rate, run.Training.Epochs, s.PctStart),
                "cosine" => new CosineDecay(rate, run.Training.Epochs - s.WarmupEpochs, s.Alpha, s.WarmupEpochs),
                _ => new StepDecay(rate, s.StepEpochs, s.Factor),
            };
            callbacks.Add(new LearningRateScheduler(schedule));
        }
        if (run.ReduceLearningRate is { } r)
        {
            callbacks.Add(new ReduceLROnPlateau(r.Monitor, r.Factor, r.Patience, minLearningRate: r.MinLearningRate, cooldown: r.Cooldown));
        }
        if (run.EarlyStopping is { } e)
        {
            callbacks.Add(new EarlyStopping(e.Monitor, e.MinDelta, e.Patience, restoreBestWeights: e.RestoreBestWeights));
        }
        return callbacks;
    }
}

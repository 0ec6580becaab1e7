using CnnLab.Models;
using CnnLab.Training;

namespace CnnLab.Studies.Experiments;

/// <summary>A whole comparison, as read from a study file: the data, the runs, the seeds and the comparisons to test.</summary>
public sealed record StudyDefinition(
    string Name,
    DatasetSettings Dataset,
    int Seeds,
    IReadOnlyList<RunDefinition> Runs,
    IReadOnlyList<ComparisonDefinition> Comparisons)
{
    /// <summary>Seeds start after this many: 0 for a study (seeds 1, 2, ...); a search's verdict trains fresh ones.</summary>
    public int SeedOffset { get; init; }

    /// <summary>The search a search file defines (its `base` is then the only run); null for a study.</summary>
    public SearchDefinition? Search { get; init; }

    /// <summary>
    /// The study with every run's epochs, the seeds and the training-image limit replaced where given: the overrides a
    /// command line applies, and the resolved study a results folder records.
    /// </summary>
    public StudyDefinition WithOverrides(int? epochs = null, int? seeds = null, int? limit = null) => this with
    {
        Runs = epochs is int e ? Runs.Select(r => r with { Training = r.Training with { Epochs = e } }).ToList() : Runs,
        Seeds = seeds ?? Seeds,
        Dataset = limit is int n ? Dataset with { Limit = n } : Dataset,
    };
}

/// <summary>Which dataset and how to prepare it.</summary>
public sealed record DatasetSettings(string Name, string? DataDir, bool Standardize, int? Limit)
{
    /// <summary>
    /// The order of a folder's or CSV file's training split (study keys <c>shuffle</c>, <c>shuffle_seed</c>; shuffled with
    /// seed 0 by default); null for a known dataset, which keeps its publisher's order. Kept in study.json.
    /// </summary>
    public Data.DataShuffle? Shuffle { get; init; }
}

/// <summary>Fit settings of a run.</summary>
public sealed record TrainingSettings(int Epochs, int BatchSize, double ValidationSplit)
{
    /// <summary>Keras' dtype policy while training (`precision`): float32 or mixed_bfloat16.</summary>
    public Engine.Precision Precision { get; init; }
}

/// <summary>
/// One run: a model, its optimizer (name, learning rate, decoupled weight decay), its training settings, and the
/// optional regularization and training recipe: label smoothing, augmentation of the training batches, callbacks
/// and a learning-rate schedule.
/// </summary>
public sealed record RunDefinition(string Name, ModelChoice Model, string Optimizer, double? LearningRate, TrainingSettings Training)
{
    /// <summary>Decoupled weight decay; null for the optimizer's default.</summary>
    public double? WeightDecay { get; init; }

    /// <summary>Label smoothing of the loss.</summary>
    public double LabelSmoothing { get; init; }

    /// <summary>Augmentation of the training batches; null for none.</summary>
    public AugmentationSettings? Augmentation { get; init; }

    /// <summary>EarlyStopping, when set.</summary>
    public EarlyStoppingSettings? EarlyStopping { get; init; }

    /// <summary>ReduceLROnPlateau, when set.</summary>
    public ReduceLearningRateSettings? ReduceLearningRate { get; init; }

    /// <summary>A learning-rate schedule, when set.</summary>
    public ScheduleSettings? Schedule { get; init; }

    /// <summary>What the test evaluation averages over (validation during training never does).</summary>
    public TestTimeAugmentation TestTimeAugmentation { get; init; }

    /// <summary>
    /// The values of the keys declared with a behaviour of their own (<see cref="Schema.StudyKey.InSettings"/>: clipnorm,
    /// random_zoom, ...) by key name, only where the study gives one other than the default; empty when none.
    /// </summary>
    public IReadOnlyDictionary<string, double> Settings { get; init; } = new Dictionary<string, double>();
}

/// <summary>Augmentation of a run's training batches: each entry null or 0 when unused.</summary>
public sealed record AugmentationSettings(string? Flip, double Translation, double Rotation, double Erasing, double Mixup, double CutMix);

/// <summary>EarlyStopping's settings in a study file.</summary>
public sealed record EarlyStoppingSettings(string Monitor, int Patience, double MinDelta, bool RestoreBestWeights);

/// <summary>ReduceLROnPlateau's settings in a study file.</summary>
public sealed record ReduceLearningRateSettings(string Monitor, double Factor, int Patience, double MinLearningRate, int Cooldown);

/// <summary>A learning-rate schedule in a study file: one_cycle, cosine or step, over the run's epochs.</summary>
public sealed record ScheduleSettings(string Type, double? MaxLearningRate, double PctStart, double Alpha, double WarmupEpochs,
    int StepEpochs, double Factor);

/// <summary>A model by notebook name, a VGG template, or Keras' list of layers, written in the file.</summary>
public sealed record ModelChoice(string? NamedModel, VggTemplate? Template)
{
    /// <summary>The model as a list of layers (<c>model: {input_shape, layers}</c>); null for the other kinds.</summary>
    public LayerListModel? LayerList { get; init; }

    /// <summary>The model from a file (<c>model: path</c> or <c>model:
    /// {file: path, weights: load}</c>); null for the other kinds.</summary>
    public ModelFileChoice? File { get; init; }

    /// <summary>A residual network (<c>model: {stages, blocks_per_stage, width}</c>); null for the other kinds.</summary>
    public ResNetTemplate? ResNet { get; init; }

    /// <summary>Text for tables: the name, the template's blocks, or the layers' snake_case names.</summary>
    public override string ToString() => NamedModel ?? ResNet?.ToString()
        ?? (File is { } f ? System.IO.Path.GetFileName(f.Path) + (f.LoadWeights ? " (its weights)" : "")
            : Template is { } t ? "vgg " + string.Join(" ", t.Blocks.Select(b => "[" + string.Join(",", b) + "]"))
            : "layers: " + string.Join(" ",
                LayerList!.Layers.Select(l => Layers.Layer.ToSnakeCase(Layers.LayerRegistry.ClassName(l.ClassName) ?? l.ClassName))));
}

/// <summary>Two runs whose difference is tested over the seeds; <see cref="Metric"/> is test_accuracy unless given.</summary>
public sealed record ComparisonDefinition(string Name, string First, string Second, string Metric);

using CnnLab.Optimizers;
using static CnnLab.Studies.Experiments.Schema.StudyKeyType;

namespace CnnLab.Studies.Experiments.Schema;

/// <summary>A mapping of a study file: its name in the schema, how errors name it, and what it is for.</summary>
/// <param name="Name">The section's name in the schema and the key reference (run, augmentation, schedule).</param>
/// <param name="ErrorPrefix">What errors put before a key's name ("training." for `training.epochs`), or "".</param>
/// <param name="Description">One sentence for the key reference and the JSON Schema.</param>
public sealed record StudySection(string Name, string ErrorPrefix, string Description);

/// <summary>
/// Every key of a study file, in the order the key reference lists them. A new key is one entry here; a key that
/// needs a new behaviour names it with <see cref="StudyKey.Optimizer"/> or <see cref="StudyKey.Layer"/>.
/// </summary>
public static partial class StudyKeys
{
    /// <summary>The sections, the study's top level first.</summary>
    public static IReadOnlyList<StudySection> Sections { get; } = new StudySection[]
    {
        new("study", "", "The top level of a study file: the data, the runs, the seeds and the comparisons to test."),
        new("dataset", "dataset.", "Which dataset and how to prepare it (or just its name: `dataset: cifar10`)."),
        new("training", "training.", "Fit settings: at the top level for every run, in a run for that run (merged key by key)."),
        new("run", "", "One run: a model, its optimizer and its training recipe. `base` and each of `variants` take the same keys."),
        new("template", "", "A VGG-style model: blocks of convolutions, each block ending in max pooling, then dense layers."),
        new("layer_list", "", "A model as Keras' list of layers, each entry one layer's snake_case name holding its Keras config."),
        new("resnet", "", "A residual network (a functional model): a stem, stages of residual blocks (each stage after the first " +
            "halving the resolution, its filters doubling), global average pooling and a softmax Dense."),
        new("model_file", "", "A model from a CnnLab, Keras (.h5, .keras) or safetensors file."),
        new("augmentation", "", "Augmentation of the run's training batches (never of validation or test images)."),
        new("callbacks", "", "Keras callbacks of the run."),
        new("early_stopping", "early_stopping.", "Keras' EarlyStopping."),
        new("reduce_lr_on_plateau", "reduce_lr_on_plateau.", "Keras' ReduceLROnPlateau."),
        new("schedule", "schedule.", "A learning-rate schedule over the run's epochs."),
        new("grid", "grid.", "Runs for every combination of the listed values (two convolutions per block, filters doubling per block)."),
        new("comparison", "comparison.", "Two runs whose difference in a metric is tested over the seeds (paired t-test)."),
        new("search", "search.", "A search over run keys from `base` (the baseline): run it with `cnnlab search FILE`."),
        new("scheduler", "search.scheduler.", "How trials are stopped early: ASHA or Hyperband over epochs, or none (every trial trains " +
            "to the end)."),
        new("budget", "search.budget.", "When the search stops sampling new trials."),
        new("verdict", "search.verdict.", "The best configurations trained again on fresh seeds and tested beside the baseline."),
    };

    private static readonly string[] Monitors = { "loss", "accuracy", "val_loss", "val_accuracy" };

    /// <summary>Every key, section by section.</summary>
    public static IReadOnlyList<StudyKey> All { get; } = new[]
    {
        Text("study", "name", "The study's name, in the report's title.", defaultText: "the file's name"),
        new StudyKey("study", "dataset", TextOrMapping, "A known dataset's name, an image folder or CSV file, or a mapping.")
            { Of = "dataset", DefaultText = "fashion-mnist" },
        Int("study", "seeds", 1, 1, "How many times each run is trained, with seeds 1, 2, ...; comparisons need at least 2."),
        Map("study", "training", "training", "Fit settings of every run."),
        new StudyKey("study", "runs", MappingList, "The runs.") { Of = "run" },
        Map("study", "base", "run", "The run `variants` start from."),
        new StudyKey("study", "variants", MappingList, "Runs as changes to `base`: each a name and the keys it changes.") { Of = "run" },
        Map("study", "grid", "grid", "Runs for every combination of a grid of VGG templates."),
        new StudyKey("study", "comparisons", MappingList, "Pairs of runs to compare.") { Of = "comparison" },
        Map("study", "search", "search", "A search from `base` over the keys of `search.space` (no `runs` or `variants` then).")
            with { Since = 3 },

        Text("dataset", "name", "fashion-mnist, mnist, cifar10, an image folder (one subfolder per class) or a CSV file.",
            @default: "fashion-mnist"),
        Text("dataset", "data_dir", "Where the dataset's files are kept.", defaultText: "the usual data folder"),
        Bool("dataset", "standardize", false, "Scale each channel to mean 0 and standard deviation 1 (statistics of the training split)."),
        Int("dataset", "limit", 1, null, "Use only the first N training images.", defaultText: "all"),
        Bool("dataset", "shuffle", null, "Shuffle a folder's or CSV file's images once before splitting (not for known datasets).",
            defaultText: "true"),
        Int("dataset", "shuffle_seed", 0, null, "The seed of that shuffle.", defaultText: "0"),

        Int("training", "epochs", 1, 20, "Epochs to train."),
        Int("training", "batch_size", 1, 50, "Images per gradient step."),
        Num("training", "validation_split", 0, 1, 0.3, "The share of the training images held out for validation.", maxExcluded: true),
        Choice("training", "precision", Engine.MixedPrecision.Names, "float32",
            "Keras' dtype policy: float32, or mixed_bfloat16 (convolutions and matrix products in bfloat16 on float32 weights, where the " +
            "CPU has AVX512_BF16 or AMX; elsewhere float32 with a warning).") with { Since = 2 },

        Text("run", "name", "The run's name, unique in the study; it names the run's results folder.", required: true),
        new StudyKey("run", "model", Model, "A notebook model's name (m3-leaky, m2-bn-before, ...), a model file's path, " +
            "a template mapping (`blocks`, ...), a residual network (`stages`, ...), a list of layers (`layers`) or a file mapping " +
            "(`file`, `weights`).") { Required = true },
        new StudyKey("run", "optimizer", StudyKeyType.Choice, "Keras' optimizer name.")
            { Allowed = OptimizerCatalog.Names.ToList(), DefaultText = "the notebook model's, else adam" },
        Num("run", "learning_rate", 1e-12, 10, null, "The optimizer's learning rate.", defaultText: "the optimizer's"),
        Num("run", "weight_decay", 0, 1, null, "Decoupled weight decay (Keras 3's `weight_decay`).", defaultText: "the optimizer's"),
        Num("run", "clipnorm", 0, 1e6, null, "Keras' optimizer `clipnorm`: each weight's gradient scaled to an L2 norm of at most this.",
            defaultText: "none") with { MinimumExcluded = true, Since = 2, Column = ReportColumn.Optimizer,
                Optimizer = (o, v) => o.ClipNorm = v },
        Num("run", "momentum", 0, 1, null, "Keras' `momentum` of sgd and rmsprop.", maxExcluded: true, defaultText: "0")
            with { Since = 4, Column = ReportColumn.Optimizer, Optimizer = (o, v) => WithMomentum(o, "momentum").Momentum = v },
        Bool("run", "nesterov", false, "SGD's Nesterov momentum (Keras' `nesterov`; needs `momentum` above 0).")
            with { Since = 4, Column = ReportColumn.Optimizer, Optimizer = (o, v) => Sgd(o).Nesterov = v != 0 },
        Bool("run", "use_ema", false, "Keras 3's `use_ema`: a moving average of the weights, which replaces them when training ends.")
            with { Since = 4, Column = ReportColumn.Optimizer, Optimizer = (o, v) => o.UseEma = v != 0 },
        Num("run", "ema_momentum", 0, 1, 0.99, "Keras 3's `ema_momentum`: how much of the average each step keeps.", maxExcluded: true)
            with { Since = 4, Column = ReportColumn.Optimizer, Optimizer = (o, v) => o.EmaMomentum = v },
        Num("run", "label_smoothing", 0, 1, 0, "Label smoothing of the cross-entropy loss."),
        Map("run", "training", "training", "The run's own fit settings, over the study's."),
        Map("run", "augmentation", "augmentation", "Augmentation of the training batches."),
        Map("run", "callbacks", "callbacks", "Callbacks."),
        Map("run", "schedule", "schedule", "A learning-rate schedule."),
        Choice("run", "test_time_augmentation", Models.TestTimeAugmentations.Names, "none",
            "What the test evaluation averages over: the images, or each image and its mirror image."),

        Int("template", "blocks", 1, null, "Filters of each convolution, block by block: [[20, 20], [40, 40]].", required: true)
            with { Type = StudyKeyType.Blocks },
        IntOrList("template", "kernel_size", 3, "The kernel size, or one per block."),
        Int("template", "pool_size", 1, 2, "The max pooling at the end of each block."),
        Text("template", "activation", "leaky_relu (LeakyReLU 0.1, the notebook's) or a Keras activation's name.", @default: "leaky_relu")
            with { Allowed = new[] { "leaky_relu" }.Concat(CnnLab.Layers.Activations.Names).Distinct().ToList() },
        Choice("template", "batch_norm", new[] { "none", "before", "after" }, "none",
            "BatchNormalization before or after each activation."),
        Bool("template", "batch_norm_scale", true, "Whether BatchNormalization learns a scale (Keras' `scale`); false: no gamma.")
            with { Since = 4 },
        IntOrList("template", "dense", new[] { 32, 32 }, "Units of the dense layers before the output layer; [] for none."),
        Num("template", "dropout", 0, 1, 0, "Dropout before each dense layer.", maxExcluded: true),
        Num("template", "spatial_dropout", 0, 1, 0, "SpatialDropout2D after each block.", maxExcluded: true),
        Num("template", "gaussian_noise", 0, 1e6, 0, "GaussianNoise's standard deviation on the input."),
        Num("template", "l1", 0, 1e6, 0, "L1 regularization of the kernels."),
        Num("template", "l2", 0, 1e6, 0, "L2 regularization of the kernels."),

        Int("resnet", "stages", 1, 3, "Stages of residual blocks (at most 8).", required: true) with { Since = 4 },
        Int("resnet", "blocks_per_stage", 1, 1, "Residual blocks in each stage (at most 32).") with { Since = 4 },
        Int("resnet", "width", 1, 16, "Filters of the stem and the first stage; each stage doubles them.") with { Since = 4 },

        Int("layer_list", "input_shape", 1, null, "(height, width, channels) of the input.", defaultText: "the dataset's")
            with { Type = IntegerList },
        new StudyKey("layer_list", "layers", StudyKeyType.Layers, "The layers, e.g. `- conv2d: {filters: 32, kernel_size: 3}`. " +
            "A layer's `inputs: [name, ...]` (layer names, or `input`) makes the list a graph; the last layer is the output.")
            { Required = true },

        Text("model_file", "file", "The file, relative to the study file's folder or the working folder.", required: true),
        Choice("model_file", "weights", new[] { "load", "new" }, "new", "Start from the file's weights, or fresh ones from the seed."),

        Choice("augmentation", "random_flip", new[] { "horizontal", "vertical", "horizontal_and_vertical" }, null, "Keras' RandomFlip.")
            with { DefaultText = "none" },
        Num("augmentation", "random_translation", 0, 1, 0, "Keras' RandomTranslation: a shift of up to this fraction of height and width."),
        Num("augmentation", "random_rotation", 0, 0.5, 0, "Keras' RandomRotation: up to this fraction of a full turn either way."),
        Num("augmentation", "random_zoom", 0, 1, 0, "Keras' RandomZoom: zoom out (or in) by up to this fraction, the aspect ratio kept.")
            with { Since = 2, Column = ReportColumn.Augmentation, Layer = factor => new CnnLab.Layers.RandomZoom(factor) },
        Num("augmentation", "random_erasing", 0, 1, 0, "torchvision's RandomErasing: the probability of erasing a rectangle."),
        Num("augmentation", "mixup", 1e-6, 100, null, "mixup's alpha.", defaultText: "none"),
        Num("augmentation", "cutmix", 1e-6, 100, null, "CutMix's alpha (not with mixup).", defaultText: "none"),

        Map("callbacks", "early_stopping", "early_stopping", "Stop when the monitored metric stops improving."),
        Map("callbacks", "reduce_lr_on_plateau", "reduce_lr_on_plateau",
            "Lower the learning rate when the monitored metric stops improving."),

        Choice("early_stopping", "monitor", Monitors, "val_loss", "The metric watched."),
        Int("early_stopping", "patience", 0, 0, "Epochs without improvement before stopping."),
        Num("early_stopping", "min_delta", 0, 1e9, 0, "The smallest change that counts as an improvement."),
        Bool("early_stopping", "restore_best_weights", false, "Go back to the best epoch's weights when stopping."),

        Choice("reduce_lr_on_plateau", "monitor", Monitors, "val_loss", "The metric watched."),
        Num("reduce_lr_on_plateau", "factor", 1e-9, 1, 0.1, "The factor the learning rate is multiplied by.", maxExcluded: true),
        Int("reduce_lr_on_plateau", "patience", 0, 10, "Epochs without improvement before lowering it."),
        Num("reduce_lr_on_plateau", "min_learning_rate", 0, 10, 0, "The lowest learning rate."),
        Int("reduce_lr_on_plateau", "cooldown", 0, 0, "Epochs to wait after lowering it."),

        Choice("schedule", "type", new[] { "one_cycle", "cosine", "step" }, null, "The schedule.") with { Required = true },
        Num("schedule", "max_learning_rate", 1e-12, 10, null, "The peak (one_cycle) or starting learning rate.", defaultText: "the run's"),
        Num("schedule", "pct_start", 1e-6, 1, 0.3, "one_cycle: the share of the steps spent rising.", maxExcluded: true),
        Num("schedule", "alpha", 0, 1, 0, "cosine: the final learning rate as a fraction of the first."),
        Num("schedule", "warmup_epochs", 0, 1e6, 0, "cosine: epochs of linear warm-up (fewer than the run's epochs)."),
        Int("schedule", "step_epochs", 1, null, "step: epochs between drops.", defaultText: "a third of the epochs"),
        Num("schedule", "factor", 1e-9, 1, 0.1, "step: the factor of each drop."),

        IntOrList("grid", "depth", 2, "Blocks."),
        IntOrList("grid", "filters", 20, "Filters of the first block."),
        IntOrList("grid", "kernel_size", 3, "Kernel sizes."),
        IntOrList("grid", "pool_size", 2, "Pool sizes."),
        Choice("grid", "batch_norm", new[] { "none", "before", "after" }, "none", "BatchNormalization of every run."),
        IntOrList("grid", "dense", 32, "Units of the dense layers of every run."),
        new StudyKey("grid", "optimizer", StudyKeyType.Choice, "The optimizer of every run.")
            { Allowed = OptimizerCatalog.Names.ToList(), Default = "adam" },
        Int("grid", "sample", 1, null, "Train a seeded random sample of this many combinations (random search).", defaultText: "all"),
        Int("grid", "seed", 0, 0, "The seed of that sample."),

        new StudyKey("search", "space", StudyKeyType.SearchSpace, "The parameters: each run key (a dotted path such as " +
            "`training.batch_size` or `model.blocks.2`) with `choice`, `int` or `float` (`log`, `when`).") { Required = true, Since = 3 },
        Choice("search", "objective", new[] { "val_accuracy", "val_loss", "accuracy" }, "val_accuracy",
            "What trials are ranked by, at the end of each rung (the test split is never used to choose).") with { Since = 3 },
        Choice("search", "sampler", new[] { "tpe", "random" }, "tpe", "How new trials are chosen: TPE (10 random trials first) or random.")
            with { Since = 3 },
        Int("search", "seeds", 1, 1, "Seeds each trial trains with; a rung's score is their mean, and with 2 or more a trial " +
            "outside the leaders is stopped only when a paired t-test says it is worse.") with { Since = 3 },
        Num("search", "alpha", 1e-9, 1, 0.05, "The paired test's level.", maxExcluded: true) with { Since = 3 },
        Int("search", "seed", 0, 0, "The search's own seed (which configurations are drawn).") with { Since = 3 },
        Num("search", "max_train_seconds", 1e-3, 1e7, null, "Training time as a constraint: a trial whose full training, projected " +
            "from its measured seconds per epoch, would take longer is stopped and kept out of the verdict.", defaultText: "none")
            with { Since = 4 },
        Map("search", "scheduler", "scheduler", "Early stopping of trials.") with { Since = 3 },
        Map("search", "budget", "budget", "When to stop sampling.") with { Since = 3 },
        Map("search", "verdict", "verdict", "The retraining of the best configurations on fresh seeds.") with { Since = 3 },
        Choice("scheduler", "type", new[] { "asha", "hyperband", "none" }, "asha",
            "ASHA (Li et al. 2020); Hyperband (Li et al. 2018): ASHA brackets starting at min_epochs x eta^s, trials taken in turn; " +
            "or none.") with { Since = 3 },
        Int("scheduler", "min_epochs", 1, 1, "The first rung's epochs; rungs grow by `reduction_factor` up to the base run's epochs.")
            with { Since = 3 },
        Int("scheduler", "reduction_factor", 2, 3, "eta: one in this many trials of a rung goes on by rank.") with { Since = 3 },
        Int("budget", "trials", 1, 20, "The most trials sampled.") with { Maximum = StudyLimits.MaxRunSeeds, Since = 3 },
        Int("budget", "epochs", 1, null, "The most epochs trained over all trials and seeds.", defaultText: "no limit") with { Since = 3 },
        Num("budget", "hours", 1e-6, 1e4, null, "The most hours of training summed over workers.", defaultText: "no limit")
            with { Since = 3 },
        Int("verdict", "top", 0, 3, "How many of the best configurations are trained again (0: none).") with { Since = 3 },
        Int("verdict", "seeds", 3, 3, "Fresh seeds each of them, and the baseline, is trained with.") with { Since = 3 },

        Text("comparison", "name", "The comparison's name.", defaultText: "\"a vs b\""),
        Text("comparison", "a", "The first run's name.", required: true),
        Text("comparison", "b", "The second run's name.", required: true),
        Choice("comparison", "metric", new[] { "test_accuracy", "val_accuracy", "seconds_per_epoch" }, "test_accuracy",
            "The metric compared."),
    };

    /// <summary>The keys of <paramref name="section"/>, in order.</summary>
    public static IReadOnlyList<StudyKey> Of(string section) => All.Where(k => k.Section == section).ToList();

    /// <summary>The key names of <paramref name="section"/>, in order, as errors list them.</summary>
    public static string[] Names(string section) => All.Where(k => k.Section == section).Select(k => k.Name).ToArray();

    /// <summary>The key <paramref name="name"/> of <paramref name="section"/>.</summary>
    public static StudyKey Get(string section, string name) =>
        All.FirstOrDefault(k => k.Section == section && k.Name == name)
            ?? throw new ArgumentException($"No study key {section}.{name}.", nameof(name));

    /// <summary>
    /// The key of <paramref name="allowed"/> a misspelt <paramref name="key"/> most likely meant: at most two letters
    /// added, dropped or changed (optimiser, epoch, batchsize), or the same but for case; null when none is that close.
    /// </summary>
    public static string? Nearest(string key, IEnumerable<string> allowed)
    {
        ArgumentNullException.ThrowIfNull(key);
        return allowed.Select(a => (Key: a, Distance: a.Equals(key, StringComparison.OrdinalIgnoreCase) ? 0 : Distance(key, a)))
            .Where(c => c.Distance <= Math.Min(2, key.Length / 3)).OrderBy(c => c.Distance).Select(c => c.Key).FirstOrDefault();
    }

    /// <summary>Levenshtein's edit distance.</summary>
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            previous = current;
        }
        return previous[b.Length];
    }

    /// <summary>The section named <paramref name="name"/>.</summary>
    public static StudySection Section(string name) => Sections.First(s => s.Name == name);

    private static IMomentumOptimizer WithMomentum(Optimizer optimizer, string key) => optimizer as IMomentumOptimizer
        ?? throw new ArgumentException($"`{key}` is an argument of sgd and rmsprop; this run's optimizer is {optimizer.Name}");

    private static SGD Sgd(Optimizer optimizer) => optimizer as SGD
        ?? throw new ArgumentException($"`nesterov` is an argument of sgd; this run's optimizer is {optimizer.Name}");

    private static StudyKey Text(string section, string name, string description, string? @default = null, string? defaultText = null,
        bool required = false) =>
        new(section, name, StudyKeyType.Text, description) { Default = @default, DefaultText = defaultText, Required = required };

    private static StudyKey Int(string section, string name, int minimum, int? @default, string description, string? defaultText = null,
        bool required = false) =>
        new(section, name, Integer, description) { Minimum = minimum, Default = @default, DefaultText = defaultText, Required = required };

    private static StudyKey Num(string section, string name, double minimum, double maximum, double? @default, string description,
        bool maxExcluded = false, string? defaultText = null) =>
        new(section, name, Number, description)
            { Minimum = minimum, Maximum = maximum, MaximumExcluded = maxExcluded, Default = @default, DefaultText = defaultText };

    private static StudyKey Bool(string section, string name, bool? @default, string description, string? defaultText = null) =>
        new(section, name, StudyKeyType.Boolean, description) { Default = @default, DefaultText = defaultText };

    private static StudyKey Choice(string section, string name, IEnumerable<string> allowed, string? @default, string description) =>
        new(section, name, StudyKeyType.Choice, description) { Allowed = allowed.ToList(), Default = @default };

    private static StudyKey IntOrList(string section, string name, object @default, string description) =>
        new(section, name, IntegerOrList, description) { Minimum = 1, Default = @default };

    private static StudyKey Map(string section, string name, string of, string description) =>
        new(section, name, Mapping, description) { Of = of };
}

using System.Globalization;
using System.Text.Json.Nodes;
using CnnLab.Models;
using CnnLab.Optimizers;
using CnnLab.Studies.Experiments.Schema;
using CnnLab.Training;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CnnLab.Studies.Experiments;

/// <summary>
/// Reads a study file (YAML). Every mapping accepts the keys <see cref="StudyKeys"/> declares for its section, with
/// their bounds and defaults; an unknown key is an error naming the key, its line and the allowed ones, never
/// ignored. Runs inherit the top-level training settings and may override them.
/// </summary>
public static partial class StudyParser
{
    private static readonly string[] ModelFileExtensions = { ".json", ".safetensors", ".h5", ".hdf5", ".keras" };

    /// <summary>The largest study file read: 1 MiB, a hundred times the largest study here.</summary>
    public const int MaxFileBytes = 1 << 20;

    /// <summary>The widest block a grid may double its filters up to.</summary>
    public const int MaxGridFilters = 65_536;

    /// <summary>Parses YAML text; <paramref name="source"/> names it in errors.</summary>
    public static StudyDefinition Parse(string yaml, string source = "study")
    {
        YamlGuard.Check(yaml, source);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new StudyFileException($"{source}: not valid YAML at line {e.Start.Line}: {e.Message}");
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // YamlDotNet's node loader rejects some event sequences its parser accepted this way (found by the fuzz test).
            throw new StudyFileException($"{source}: not valid YAML " +
                $"({e.Message.Replace(" (Parameter 'parser')", "", StringComparison.Ordinal)}).");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new StudyFileException($"{source}: expected a mapping with the keys {string.Join(", ", StudyKeys.Names("study"))}.");
        }
        var reader = new Reader(source);
        var top = reader.Map(root, "the study", "study");
        var defaults = new TrainingSettings(
            Default<int>("training", "epochs"), Default<int>("training", "batch_size"), Default<double>("training", "validation_split"));
        var training = top.TryGetValue("training", out var t) ? reader.Training(t, defaults) : defaults;
        var runsNode = top.TryGetValue("runs", out var r) ? r as YamlSequenceNode : null;
        var runs = runsNode?.Children.Select((node, i) => reader.Run(node, i, training)).ToList() ?? new List<RunDefinition>();
        var search = top.ContainsKey("search") ? ParseSearch(top, reader, training, runs, source) : null;
        if (search is null && top.TryGetValue("variants", out var variants))
        {
            var baseRun = top.TryGetValue("base", out var b) ? b as YamlMappingNode : null;
            if (baseRun is null)
            {
                throw new StudyFileException($"{source}: `variants` need a `base` run (a mapping with model, optimizer, learning_rate, " +
                    $"training) to start from.");
            }
            runs.AddRange(reader.Sequence(variants, "variants").Select((v, i) => reader.Run(Merge(baseRun, v), runs.Count + i, training)));
        }
        else if (top.ContainsKey("base") && search is null)
        {
            throw new StudyFileException($"{source}: a `base` run needs `variants`, each a mapping with a name and the keys it changes.");
        }
        if (top.TryGetValue("grid", out var g))
        {
            runs.AddRange(reader.Grid(g, training));
        }
        if (runs.Count == 0)
        {
            throw new StudyFileException($"{source}: `runs` must be a list with at least one run (or give `base` and `variants`, " +
                $"or a `grid`).");
        }
        var duplicate = runs.GroupBy(x => x.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new StudyFileException($"{source}: two runs are named \"{duplicate.Key}\"; run names must be unique.");
        }
        // Results go to a folder named by the run's slug, so two names with one slug would share (and skip) a folder.
        var collision = runs.GroupBy(x => StudyRunner.Slug(x.Name)).FirstOrDefault(g => g.Count() > 1);
        if (collision is not null)
        {
            var names = collision.Select(x => $"\"{x.Name}\"").ToList();
            throw new StudyFileException(
                $"{source}: runs {string.Join(" and ", names)} would share the results folder \"{collision.Key}\" (names are compared in " +
                $"lower case, letters and digits only). Rename one of them.");
        }
        if (runs.FirstOrDefault(x => StudyRunner.Slug(x.Name).Length == 0) is { } empty)
        {
            throw new StudyFileException($"{source}: run name \"{empty.Name}\" has no letter or digit, so it cannot name a results " +
                $"folder. Add one.");
        }
        var comparisons = top.TryGetValue("comparisons", out var c)
            ? reader.Sequence(c, "comparisons").Select(n => reader.Comparison(n, runs)).ToList()
            : new List<ComparisonDefinition>();
        var name = top.TryGetValue("name", out var n) ? reader.Text(n, "name") : Path.GetFileNameWithoutExtension(source);
        var seeds = reader.Integer(top, "study", "seeds");
        if (StudyLimits.CheckRunSeeds(runs.Count, seeds) is { } tooMany)
        {
            throw new StudyFileException($"{source}: {tooMany}.");
        }
        var dataset = top.TryGetValue("dataset", out var d)
            ? reader.Dataset(d)
            : new DatasetSettings(Default<string>("dataset", "name"), null, false, null);
        return new StudyDefinition(name, dataset, seeds, runs, comparisons) { Search = search };
    }

    private static T Default<T>(string section, string key) => (T)StudyKeys.Get(section, key).Default!;

    /// <summary>A variant is its base with the variant's keys replacing the base's (training settings merged key by key).</summary>
    private static YamlMappingNode Merge(YamlMappingNode baseRun, YamlNode variant)
    {
        var merged = new YamlMappingNode();
        foreach (var (key, value) in baseRun.Children)
        {
            merged.Children[key] = value;
        }
        if (variant is not YamlMappingNode changes)
        {
            return merged;
        }
        foreach (var (key, value) in changes.Children)
        {
            if (key is YamlScalarNode { Value: "training" } && merged.Children.TryGetValue(key, out var baseTraining) &&
                baseTraining is YamlMappingNode baseMap && value is YamlMappingNode changeMap)
            {
                var training = new YamlMappingNode();
                foreach (var (k, v) in baseMap.Children)
                {
                    training.Children[k] = v;
                }
                foreach (var (k, v) in changeMap.Children)
                {
                    training.Children[k] = v;
                }
                merged.Children[key] = training;
            }
            else
            {
                merged.Children[key] = value;
            }
        }
        return merged;
    }

    private sealed partial class Reader
    {
        private readonly string _source;

        public Reader(string source) => _source = source;

        public Dictionary<string, YamlNode> Map(YamlNode node, string what, string section) => Map(node, what, StudyKeys.Names(section));

        private Dictionary<string, YamlNode> Map(YamlNode node, string what, string[] allowed)
        {
            if (node is not YamlMappingNode mapping)
            {
                throw Error(node, $"{what} must be a mapping with the keys {string.Join(", ", allowed)}");
            }
            var result = new Dictionary<string, YamlNode>();
            foreach (var (keyNode, value) in mapping.Children)
            {
                var key = keyNode is YamlScalarNode scalar ? scalar.Value ?? ""
                    : throw Error(keyNode, $"a key in {what} must be plain text");
                if (!allowed.Contains(key))
                {
                    var guess = StudyKeys.Nearest(key, allowed) is { } near ? $" (did you mean `{near}`?)" : "";
                    throw Error(keyNode, $"unknown key `{key}` in {what}{guess}. Allowed keys: {string.Join(", ", allowed)}");
                }
                result[key] = value;
            }
            return result;
        }

        public IReadOnlyList<YamlNode> Sequence(YamlNode node, string what) =>
            node is YamlSequenceNode sequence ? sequence.Children.ToList() : throw Error(node, $"`{what}` must be a list");

        public string Text(YamlNode node, string what) =>
            node is YamlScalarNode { Value: { Length: > 0 } value } ? value : throw Error(node, $"`{what}` must be a non-empty text");

        public int Integer(YamlNode node, string what, int minimum)
        {
            if (node is YamlScalarNode { Value: { } text }
                && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= minimum)
            {
                return value;
            }
            throw Error(node, $"`{what}` must be an integer >= {minimum}; received {Describe(node)}");
        }

        public bool Boolean(YamlNode node, string what) => node is YamlScalarNode { Value: "true" or "false" } s
            ? s.Value == "true"
            : throw Error(node, $"`{what}` must be true or false; received {Describe(node)}");

        public DatasetSettings Dataset(YamlNode node)
        {
            if (node is YamlScalarNode)
            {
                var spec = Text(node, "dataset");
                return new DatasetSettings(spec, null, false, null) { Shuffle = Data.DatasetCatalog.Find(spec) is null
                    ? Data.DataShuffle.Default : null };
            }
            var map = Map(node, "dataset", "dataset");
            var name = Text(map, "dataset", "name")!;
            return new DatasetSettings(
                name, Text(map, "dataset", "data_dir"), Boolean(map, "dataset", "standardize"), OptionalInteger(map, "dataset", "limit"))
            {
                Shuffle = Shuffle(map, name),
            };
        }

        /// <summary>The order of a folder's or CSV file's training split; null
        /// for a known dataset, which keeps its publisher's order.</summary>
        private Data.DataShuffle? Shuffle(Dictionary<string, YamlNode> map, string name)
        {
            var shuffle = map.TryGetValue("shuffle", out var s) ? Boolean(map, "dataset", "shuffle") : (bool?)null;
            var seed = OptionalInteger(map, "dataset", "shuffle_seed");
            map.TryGetValue("shuffle_seed", out var seedNode);
            if (Data.DatasetCatalog.Find(name) is { } known)
            {
                if ((s ?? seedNode) is { } given)
                {
                    throw Error(given, $"`dataset.{(s is null ? "shuffle_seed" : "shuffle")}` applies to image folders and CSV files; " +
                                       $"{known.Name} is read in its publisher's order, whose classes are already mixed. Remove it");
                }
                return null;
            }
            if (shuffle == false && seed is not null)
            {
                throw Error(seedNode!,
                    "`dataset.shuffle_seed` needs `shuffle: true`; with `shuffle: false` the files keep their order. Remove one of them");
            }
            return shuffle == false ? Data.DataShuffle.KeepFileOrder : Data.DataShuffle.WithSeed(seed ?? Data.DataShuffle.DefaultSeed);
        }

        public TrainingSettings Training(YamlNode node, TrainingSettings defaults)
        {
            var map = Map(node, "training", "training");
            return new TrainingSettings(
                OptionalInteger(map, "training", "epochs") ?? defaults.Epochs,
                OptionalInteger(map, "training", "batch_size") ?? defaults.BatchSize,
                OptionalNumber(map, "training", "validation_split") ?? defaults.ValidationSplit)
            {
                Precision = map.ContainsKey("precision")
                    ? Engine.MixedPrecision.Parse(Choice(map, "training", "precision")!)
                    : defaults.Precision,
            };
        }

        public RunDefinition Run(YamlNode node, int index, TrainingSettings defaults)
        {
            var map = Map(node, $"run {index + 1}", "run");
            var name = map.TryGetValue("name", out var n) ? Text(n, "run name") : throw Error(node, $"run {index + 1} has no `name`");
            var model = map.TryGetValue("model", out var m) ? Model(m, name) : throw Error(node, $"run \"{name}\" has no `model`");
            var optimizer = map.TryGetValue("optimizer", out var o) ? Text(o, "optimizer") : model.NamedModel is { } named
                ? NotebookModels.Get(named).Optimizer().Name : "adam";
            if (!OptimizerCatalog.Names.Contains(optimizer, StringComparer.OrdinalIgnoreCase))
            {
                throw Error(map["optimizer"],
                    $"unknown optimizer `{optimizer}` in run \"{name}\". Allowed: {string.Join(", ", OptimizerCatalog.Names)}");
            }
            var learningRate = OptionalNumber(map, "run", "learning_rate");
            var training = map.TryGetValue("training", out var t) ? Training(t, defaults) : defaults;
            var callbacks = map.TryGetValue("callbacks", out var c)
                ? Map(c, $"the callbacks of run \"{name}\"", "callbacks")
                : new Dictionary<string, YamlNode>();
            var settings = Settings(map, "run");
            var augmentation = map.TryGetValue("augmentation", out var a) ? Augmentation(a, name, settings) : null;
            var run = new RunDefinition(name, model, optimizer.ToLowerInvariant(), learningRate, training)
            {
                WeightDecay = OptionalNumber(map, "run", "weight_decay"),
                LabelSmoothing = Number(map, "run", "label_smoothing"),
                Augmentation = augmentation,
                Settings = settings,
                EarlyStopping = callbacks.TryGetValue("early_stopping", out var es) ? EarlyStopping(es, name) : null,
                ReduceLearningRate = callbacks.TryGetValue("reduce_lr_on_plateau", out var rl) ? ReduceLearningRate(rl, name) : null,
                Schedule = map.TryGetValue("schedule", out var sc) ? Schedule(sc, name, training.Epochs) : null,
                TestTimeAugmentation = TestTimeAugmentations.TryParse(Choice(map, "run", "test_time_augmentation")!, out var tta)
                    ? tta
                    : TestTimeAugmentation.None,
            };
            RequireOptimizerSettings(run, map);
            return run;
        }

        /// <summary>The augmentation's own settings; its keys declared with a layer go to <paramref name="settings"/>.</summary>
        private AugmentationSettings Augmentation(YamlNode node, string run, Dictionary<string, double> settings)
        {
            var map = Map(node, $"the augmentation of run \"{run}\"", "augmentation");
            foreach (var (key, value) in Settings(map, "augmentation"))
            {
                settings[key] = value;
            }
            var augmentation = new AugmentationSettings(
                Choice(map, "augmentation", "random_flip"),
                Number(map, "augmentation", "random_translation"),
                Number(map, "augmentation", "random_rotation"),
                Number(map, "augmentation", "random_erasing"),
                OptionalNumber(map, "augmentation", "mixup") ?? 0,
                OptionalNumber(map, "augmentation", "cutmix") ?? 0);
            if (augmentation.Mixup > 0 && augmentation.CutMix > 0)
            {
                throw Error(node, $"run \"{run}\" asks for both `mixup` and `cutmix`; a batch is mixed one way, choose one");
            }
            return augmentation;
        }

        private EarlyStoppingSettings EarlyStopping(YamlNode node, string run)
        {
            var map = Map(node, $"early_stopping of run \"{run}\"", "early_stopping");
            return new EarlyStoppingSettings(
                Monitor(map, "early_stopping"),
                Integer(map, "early_stopping", "patience"),
                Number(map, "early_stopping", "min_delta"),
                Boolean(map, "early_stopping", "restore_best_weights"));
        }

        private ReduceLearningRateSettings ReduceLearningRate(YamlNode node, string run)
        {
            const string section = "reduce_lr_on_plateau";
            var map = Map(node, $"reduce_lr_on_plateau of run \"{run}\"", section);
            return new ReduceLearningRateSettings(Monitor(map, section), Number(map, section, "factor"), Integer(map, section, "patience"),
                Number(map, section, "min_learning_rate"), Integer(map, section, "cooldown"));
        }

        private ScheduleSettings Schedule(YamlNode node, string run, int epochs)
        {
            var map = Map(node, $"the schedule of run \"{run}\"", "schedule");
            var type = Choice(map, "schedule", "type")
                ?? throw Error(node, $"the schedule of run \"{run}\" needs `type`: one_cycle, cosine or step");
            var warmup = Number(map, "schedule", "warmup_epochs");
            map.TryGetValue("warmup_epochs", out var w);
            if (warmup >= epochs && type == "cosine")
            {
                throw Error(w!, $"`schedule.warmup_epochs` ({warmup}) must end before the run's {epochs} epochs do");
            }
            return new ScheduleSettings(type, OptionalNumber(map, "schedule", "max_learning_rate"), Number(map, "schedule", "pct_start"),
                Number(map, "schedule", "alpha"), warmup, OptionalInteger(map, "schedule", "step_epochs") ?? Math.Max(1, epochs / 3),
                Number(map, "schedule", "factor"));
        }

        private string Monitor(Dictionary<string, YamlNode> map, string section)
        {
            var key = StudyKeys.Get(section, "monitor");
            if (!map.TryGetValue("monitor", out var node))
            {
                return (string)key.Default!;
            }
            var monitor = Text(node, "monitor");
            return key.Allowed!.Contains(monitor)
                ? monitor
                : throw Error(node, $"unknown metric `{monitor}` to monitor. Allowed: {string.Join(", ", key.Allowed!)}");
        }

        public ComparisonDefinition Comparison(YamlNode node, IReadOnlyList<RunDefinition> runs)
        {
            var map = Map(node, "a comparison", "comparison");
            string RunName(string key)
            {
                var value = map.TryGetValue(key, out var v) ? Text(v, $"comparison.{key}")
                    : throw Error(node, $"a comparison needs `{key}`");
                return runs.Any(r => r.Name == value)
                    ? value
                    : throw Error(map[key], $"comparison refers to run \"{value}\", which is not in `runs`. Runs: " +
                        $"{string.Join(", ", runs.Select(r => $"\"{r.Name}\""))}");
            }
            var first = RunName("a");
            var second = RunName("b");
            var metricKey = StudyKeys.Get("comparison", "metric");
            var metric = map.TryGetValue("metric", out var mt) ? Text(mt, "comparison.metric") : (string)metricKey.Default!;
            if (!metricKey.Allowed!.Contains(metric))
            {
                throw Error(mt!, $"unknown metric `{metric}`. Allowed: {string.Join(", ", metricKey.Allowed!)}");
            }
            return new ComparisonDefinition(map.TryGetValue("name", out var n) ? Text(n, "comparison.name") : $"{first} vs {second}", first,
                second, metric);
        }

        private StudyFileException Error(YamlNode node, string message) =>
            new($"{_source}, line {node.Start.Line}: {message}.");

        private static string Describe(YamlNode node) => node is YamlScalarNode s ? s.Value ?? "null"
            : node.NodeType.ToString().ToLowerInvariant();
    }
}

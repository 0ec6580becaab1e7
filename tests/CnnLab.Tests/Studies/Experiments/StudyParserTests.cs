using System.Globalization;
using CnnLab.Models;
using CnnLab.Studies.Experiments;
using CnnLab.Training;

namespace CnnLab.Tests.Studies.Experiments;

public class StudyParserTests
{
    private const string Minimal = """
        name: tiny
        dataset: fashion-mnist
        seeds: 2
        training:
          epochs: 3
        runs:
          - name: A
            model: m2-leaky
          - name: B
            model:
              blocks: [[8, 8], [16]]
              kernel_size: [3, 2]
              batch_norm: after
              dense: 16
            optimizer: sgd
            learning_rate: 0.05
            training:
              batch_size: 10
        comparisons:
          - a: A
            b: B
        """;

    [Fact]
    public void Reads_runs_templates_inherited_training_and_comparisons()
    {
        var study = StudyParser.Parse(Minimal);

        Assert.Equal("tiny", study.Name);
        Assert.Equal(2, study.Seeds);
        Assert.Equal(new TrainingSettings(3, 50, 0.3), study.Runs[0].Training);
        Assert.Equal(new TrainingSettings(3, 10, 0.3), study.Runs[1].Training);
        Assert.Equal("adam", study.Runs[0].Optimizer);
        Assert.Equal(("sgd", 0.05), (study.Runs[1].Optimizer, study.Runs[1].LearningRate!.Value));
        var template = study.Runs[1].Model.Template!;
        Assert.Equal(new[] { 8, 8 }, template.Blocks[0]);
        Assert.Equal(BatchNormPlacement.After, template.BatchNorm);
        Assert.Equal(new ComparisonDefinition("A vs B", "A", "B", "test_accuracy"), study.Comparisons[0]);
    }

    [Fact]
    public void The_notebook_study_file_has_the_notebooks_five_runs_in_order()
    {
        var study = StudyParser.ParseFile(Path.Combine(TestSupport.RepositoryRoot(), "experiments", "notebook.yaml"));

        Assert.Equal(new[] { "3 blocks, Adam", "2 blocks, Adam", "2 blocks, BN before, RMSprop", "2 blocks, BN before, Adam",
            "2 blocks, BN after, RMSprop" },
            study.Runs.Select(r => r.Name));
        Assert.All(study.Runs, r => Assert.Equal(new TrainingSettings(20, 50, 0.3), r.Training));
        Assert.Equal(3, study.Comparisons.Count);
    }

    [Fact]
    public void Variants_change_only_their_keys_of_the_base_run()
    {
        var study = StudyParser.Parse("""
            training: {epochs: 4}
            base:
              model: m2-bn-before-adam
              optimizer: adam
              training: {batch_size: 32}
            variants:
              - name: base
              - name: lr 0.01
                learning_rate: 0.01
              - name: rmsprop, batch 64
                optimizer: rmsprop
                training: {batch_size: 64}
            """);

        Assert.Equal(new[] { "base", "lr 0.01", "rmsprop, batch 64" }, study.Runs.Select(r => r.Name));
        Assert.All(study.Runs, r => Assert.Equal("m2-bn-before-adam", r.Model.NamedModel));
        Assert.Equal(0.01, study.Runs[1].LearningRate);
        Assert.Equal(new TrainingSettings(4, 32, 0.3), study.Runs[1].Training);
        Assert.Equal(("rmsprop", new TrainingSettings(4, 64, 0.3)), (study.Runs[2].Optimizer, study.Runs[2].Training));
    }

    [Fact]
    public void A_grid_expands_to_every_combination_or_a_seeded_sample()
    {
        var full = StudyParser.Parse("grid:\n  depth: [2, 3]\n  filters: [8, 16]\n  kernel_size: [2, 3]\n  pool_size: 2\n");
        var sweep = StudyParser.ParseFile(Path.Combine(TestSupport.RepositoryRoot(), "experiments", "architecture-sweep.yaml"));
        var again = StudyParser.ParseFile(Path.Combine(TestSupport.RepositoryRoot(), "experiments", "architecture-sweep.yaml"));

        Assert.Equal(8, full.Runs.Count);
        Assert.Equal("3 blocks, 16 filters, kernel 2, pool 2", full.Runs[6].Name);
        Assert.Equal(new[] { new[] { 16, 16 }, new[] { 32, 32 }, new[] { 64, 64 } },
            full.Runs[6].Model.Template!.Blocks.Select(b => b.ToArray()));
        Assert.Equal(8, sweep.Runs.Count);
        Assert.Equal(sweep.Runs.Select(r => r.Name), again.Runs.Select(r => r.Name));
        Assert.Equal(8, sweep.Runs.Select(r => r.Name).Distinct().Count());
    }

    [Fact]
    public void Every_combination_of_the_sweep_builds_for_Fashion_MNIST()
    {
        var sweep = StudyParser.Parse(File.ReadAllText(Path.Combine(TestSupport.RepositoryRoot(), "experiments", "architecture-sweep.yaml"))
            .Replace("  sample: 8\n", ""));

        Assert.Equal(24, sweep.Runs.Count);
        Assert.All(sweep.Runs, r =>
        {
            using var model = r.Model.Template!.Build(CnnLab.Core.Shape.Image(28, 28, 1), 10, 0);
            Assert.True(model.ParamCount > 0);
        });
    }

    [Fact]
    public void The_regularization_and_fast_study_files_build_every_run_for_Fashion_MNIST()
    {
        var regularization = StudyParser.ParseFile(Path.Combine(TestSupport.RepositoryRoot(), "experiments", "regularization.yaml"));
        var fast = StudyParser.ParseFile(Path.Combine(TestSupport.RepositoryRoot(), "experiments", "fast.yaml"));

        Assert.Equal((12, 3, (int?)10000), (regularization.Runs.Count, regularization.Seeds, regularization.Dataset.Limit));
        Assert.Equal(new[] { "fast, 4 epochs", "fast, 9 epochs", "fast, 13 epochs", "fast, searched SGD", "fast, 19 epochs, bf16" },
            fast.Runs.Select(r => r.Name));
        // The test-time flip only helps a model trained on flipped images too.
        Assert.All(fast.Runs.Where(r => r.TestTimeAugmentation != TestTimeAugmentation.None),
            r => Assert.Equal("horizontal", r.Augmentation?.Flip));
        Assert.All(regularization.Runs.Concat(fast.Runs), r =>
        {
            using var model = RunRecipe.CompiledModel(r, CnnLab.Core.Shape.Image(28, 28, 1), 10, 0);
            Assert.True(model.ParamCount > 0);
        });
    }

    [Fact]
    public void A_model_that_cannot_fit_the_data_stops_the_study_before_training()
    {
        var study = StudyParser.Parse("name: deep\nruns:\n  - name: too deep\n    model:\n      blocks: [[4], [4], [4], [4], [4]]\n");
        var (x, y) = TestSupport.Bars(10, seed: 1);
        using var data = new CnnLab.Data.DataSplits("bars", new CnnLab.Data.Dataset(x, y, new[] { "h", "v" }),
            new CnnLab.Data.Dataset(x.clone(), y.clone(), new[] { "h", "v" }), "test");
        var folder = Path.Combine(Path.GetTempPath(), $"cnnlab-validate-{Guid.NewGuid():N}");

        var e = Assert.Throws<StudyFileException>(() => new StudyRunner(study, folder, TextWriter.Null).Run(data));

        Assert.Equal("deep: run \"too deep\" cannot be built for input (None, 12, 12, 1) and 2 classes: Layer \"max_pooling2d_3\" cannot " +
                     "apply pool_size=(2, 2) " +
                     "with padding=\"valid\" to an input of spatial size (1, 1): the pool is larger than the input. " +
                     "Use a smaller pool_size or padding=\"same\".", e.Message);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void An_unknown_key_names_the_key_its_line_and_the_allowed_ones()
    {
        var e = Assert.Throws<StudyFileException>(() =>
            StudyParser.Parse("runs:\n  - name: A\n    model: m2-leaky\ntraining:\n  epoch: 3\n", "s.yaml"));

        // Since keys are declared in one table the error also names the nearest declared key.
        Assert.Equal("s.yaml, line 5: unknown key `epoch` in training (did you mean `epochs`?). Allowed keys: epochs, batch_size, " +
            "validation_split, precision.",
            e.Message);
    }

    [Theory]
    [InlineData("    optimiser: sgd\n", "optimiser", "optimizer")]
    [InlineData("    Learning_Rate: 0.1\n", "Learning_Rate", "learning_rate")]
    [InlineData("    clip_norm: 1\n", "clip_norm", "clipnorm")]
    public void A_misspelt_key_is_refused_with_the_nearest_declared_one(string line, string written, string meant)
    {
        var e = Assert.Throws<StudyFileException>(() => StudyParser.Parse($"runs:\n  - name: A\n    model: m2-leaky\n{line}", "s.yaml"));

        Assert.StartsWith($"s.yaml, line 4: unknown key `{written}` in run 1 (did you mean `{meant}`?). Allowed keys: name, " +
            $"model, optimizer,", e.Message);
    }

    [Fact]
    public void A_comparison_of_a_missing_run_lists_the_runs()
    {
        var e = Assert.Throws<StudyFileException>(() =>
            StudyParser.Parse("runs:\n  - name: A\n    model: m2-leaky\ncomparisons:\n  - a: A\n    b: Z\n", "s.yaml"));

        Assert.Equal("s.yaml, line 6: comparison refers to run \"Z\", which is not in `runs`. Runs: \"A\".", e.Message);
    }

    [Theory]
    [InlineData("runs:\n  - name: A\n    model: vgg19\n", "s.yaml, line 3: unknown model `vgg19` in run \"A\". Allowed: " +
        "m3-leaky, m2-leaky, m2-bn-before, m2-bn-before-adam, m2-bn-after, or a mapping with blocks, kernel_size, pool_size, activation, " +
        "batch_norm, batch_norm_scale, dense, dropout, spatial_dropout, gaussian_noise, l1, l2.")]
    [InlineData("runs:\n  - name: A\n    model: m2-leaky\n    optimizer: adagrad\n",
        "s.yaml, line 4: unknown optimizer `adagrad` in run \"A\". Allowed: adam, adamw, rmsprop, sgd.")]
    [InlineData("seeds: 0\nruns:\n  - name: A\n    model: m2-leaky\n", "s.yaml, line 1: `seeds` must be an integer >= 1; received 0.")]
    [InlineData("training:\n  validation_split: 1\nruns:\n  - name: A\n    model: m2-leaky\n",
        "s.yaml, line 2: `training.validation_split` must be a number in [0, 1); received 1.")]
    // random_zoom was the example of an unknown key until RandomZoom came; Keras' RandomShear is one CnnLab still lacks.
    [InlineData("runs:\n  - name: A\n    model: m2-leaky\n    augmentation:\n      random_shear: 0.1\n",
        "s.yaml, line 5: unknown key `random_shear` in the augmentation of run \"A\". Allowed keys: random_flip, random_translation, " +
        "random_rotation, random_zoom, random_erasing, mixup, cutmix.")]
    [InlineData("runs:\n  - name: A\n    model: m2-leaky\n    callbacks:\n      early_stopping: {patience: -1}\n",
        "s.yaml, line 5: `early_stopping.patience` must be an integer >= 0; received -1.")]
    [InlineData("runs:\n  - name: A\n    model: m2-leaky\n    callbacks:\n      early_stopping: {monitor: val_f1}\n",
        "s.yaml, line 5: unknown metric `val_f1` to monitor. Allowed: loss, accuracy, val_loss, val_accuracy.")]
    [InlineData("runs:\n  - name: A\n    model: {blocks: [[8]], dropout: 1.2}\n",
        "s.yaml, line 3: `dropout` must be a number in [0, 1); received 1.2.")]
    [InlineData("runs:\n  - name: A\n    model: {blocks: [[8]], l2: -0.1}\n",
        "s.yaml, line 3: `l2` must be a number in [0, 1000000]; received -0.1.")]
    [InlineData("training: {epochs: 4}\nruns:\n  - name: A\n    model: m2-leaky\n    schedule: {type: cosine, warmup_epochs: 5}\n",
        "s.yaml, line 5: `schedule.warmup_epochs` (5) must end before the run's 4 epochs do.")]
    [InlineData("runs:\n  - name: A\n    model: m2-leaky\n    augmentation: {mixup: 0.2, cutmix: 1}\n",
        "s.yaml, line 4: run \"A\" asks for both `mixup` and `cutmix`; a batch is mixed one way, choose one.")]
    [InlineData("runs:\n  - name: A\n    model: m2-leaky\n    test_time_augmentation: rotate\n",
        "s.yaml, line 4: `test_time_augmentation` must be none, horizontal_flip or horizontal_flip_and_translate; received rotate.")]
    [InlineData("runs: []\n", "s.yaml: `runs` must be a list with at least one run (or give `base` and `variants`, or a `grid`).")]
    [InlineData("variants:\n  - name: x\n",
        "s.yaml: `variants` need a `base` run (a mapping with model, optimizer, learning_rate, training) to start from.")]
    public void Bad_values_are_errors_with_the_allowed_ones(string yaml, string expected)
    {
        var e = Assert.Throws<StudyFileException>(() => StudyParser.Parse(yaml, "s.yaml"));

        Assert.Equal(expected, e.Message);
    }

    [Fact]
    public void Reads_regularization_augmentation_callbacks_and_schedules()
    {
        var study = StudyParser.Parse("""
            training: {epochs: 10}
            runs:
              - name: R
                model: {blocks: [[8, 8]], spatial_dropout: 0.1, gaussian_noise: 0.05, l2: 0.0005, dropout: 0.3}
                optimizer: adamw
                weight_decay: 0.01
                label_smoothing: 0.1
                augmentation: {random_flip: horizontal, random_translation: 0.1, random_erasing: 0.25, cutmix: 1.0}
                callbacks:
                  early_stopping: {monitor: val_accuracy, patience: 3, restore_best_weights: true}
                  reduce_lr_on_plateau: {factor: 0.5, patience: 2}
                schedule: {type: one_cycle, max_learning_rate: 0.01}
                test_time_augmentation: horizontal_flip
            """);

        var run = study.Runs[0];
        var template = run.Model.Template!;
        Assert.Equal((0.1, 0.05, 0.3), (template.SpatialDropout, template.GaussianNoise, template.Dropout));
        Assert.Equal((0.0, 0.0005), (template.KernelRegularizer!.L1, template.KernelRegularizer.L2));
        Assert.Equal(("adamw", 0.01, 0.1), (run.Optimizer, run.WeightDecay, run.LabelSmoothing));
        Assert.Equal(new AugmentationSettings("horizontal", 0.1, 0, 0.25, 0, 1.0), run.Augmentation);
        Assert.Equal(new EarlyStoppingSettings("val_accuracy", 3, 0, true), run.EarlyStopping);
        Assert.Equal(new ReduceLearningRateSettings("val_loss", 0.5, 2, 0, 0), run.ReduceLearningRate);
        Assert.Equal(new ScheduleSettings("one_cycle", 0.01, 0.3, 0, 0, 3, 0.1), run.Schedule);
        Assert.Equal(TestTimeAugmentation.HorizontalFlip, run.TestTimeAugmentation);
    }

    [Fact]
    public void Batch_norm_scale_false_builds_batch_normalization_without_gamma_with_keras_parameter_counts()
    {
        const string File = "runs:\n  - name: A\n    model:\n      blocks: [[8]]\n      batch_norm: before\n      dense: []\n{0}";
        var withScale = StudyParser.Parse(string.Format(CultureInfo.InvariantCulture, File, "")).Runs[0];
        var without = StudyParser.Parse(string.Format(CultureInfo.InvariantCulture, File, "      batch_norm_scale: false\n")).Runs[0];

        using var scaled = RunRecipe.Model(withScale, CnnLab.Core.Shape.Image(28, 28, 1), 10, seed: 1);
        using var unscaled = RunRecipe.Model(without, CnnLab.Core.Shape.Image(28, 28, 1), 10, seed: 1);

        // Conv2D 3*3*1*8+8 = 80, BatchNormalization 4*8 = 32 (gamma, beta, moving mean and variance) or 3*8 = 24
        // without gamma, Dense 14*14*8*10+10 = 15,690: Keras' counts.
        Assert.Equal((80 + 32 + 15_690, 80 + 24 + 15_690), (scaled.ParamCount, unscaled.ParamCount));
        Assert.Null(withScale.Model.Template!.BatchNormScale);
        var e = Assert.Throws<StudyFileException>(() => StudyParser.Parse(
            "runs:\n  - name: A\n    model:\n      blocks: [[8]]\n      batch_norm_scale: false\n", "s.yaml"));
        Assert.Equal("s.yaml, line 5: the model of run \"A\" sets `batch_norm_scale` without BatchNormalization; add " +
            "`batch_norm: before` or `after`.", e.Message);
    }
}

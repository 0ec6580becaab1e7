using CnnLab.Layers;
using CnnLab.Optimizers;
using CnnLab.Training;
using CnnLab.Training.Augmentation;
using CnnLab.Training.Callbacks;
using CnnLab.Training.Schedules;

namespace CnnLab.Tests.Training;

/// <summary>A Fit stopped after an epoch and continued from its checkpoint ends exactly as an uninterrupted one.</summary>
public sealed class CheckpointTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cnnlab-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    [Fact]
    public void Continuing_from_an_epoch_checkpoint_reproduces_the_uninterrupted_history_and_weights()
    {
        var (x, y) = TestSupport.Bars(96, seed: 12);
        FitOptions Options(int epochs, string? folder) => new()
        {
            BatchSize = 16, Epochs = epochs, ValidationSplit = 0.25, Seed = 5, Verbose = 0, CheckpointFolder = folder,
        };

        using var whole = TestSupport.SmallCnn(seed: 3, batchNorm: true, dropout: true);
        whole.Compile(new Adam());
        var expected = whole.Fit(x, y, Options(4, null));

        var checkpoint = Path.Combine(_folder, "run");
        using (var first = TestSupport.SmallCnn(seed: 3, batchNorm: true, dropout: true))
        {
            first.Compile(new Adam());
            first.Fit(x, y, Options(2, checkpoint)); // "killed" after epoch 2
        }
        // other initial weights: the checkpoint's must win
        using var resumed = TestSupport.SmallCnn(seed: 99, batchNorm: true, dropout: true);
        resumed.Compile(new Adam());
        var actual = resumed.Fit(x, y, Options(4, checkpoint));

        Assert.Equal(expected.Loss, actual.Loss);
        Assert.Equal(expected.ValAccuracy, actual.ValAccuracy);
        Assert.Equal(TestSupport.ToArray(((CnnLab.Layers.Conv2D)whole.Layers[0]).Kernel),
            TestSupport.ToArray(((CnnLab.Layers.Conv2D)resumed.Layers[0]).Kernel));
        Assert.Equal(TestSupport.ToArray(((CnnLab.Layers.BatchNormalization)whole.Layers[1]).MovingVariance),
            TestSupport.ToArray(((CnnLab.Layers.BatchNormalization)resumed.Layers[1]).MovingVariance));
        Assert.Equal(new[] { "checkpoint.json", "optimizer-4.dat", "weights-4.dat" },
            Directory.GetFiles(checkpoint).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Callbacks_augmentation_and_the_learning_rate_continue_exactly_after_a_resume()
    {
        var (x, y) = TestSupport.Bars(96, seed: 13);
        FitOptions Options(int epochs, string? folder) => new()
        {
            BatchSize = 16, Epochs = epochs, ValidationSplit = 0.25, Seed = 6, Verbose = 0, CheckpointFolder = folder,
            Augmentation = new Layer[] { new RandomFlip("horizontal"), new RandomErasing(0.5) },
            BatchMix = new CutMix(),
            Callbacks = new Callback[]
            {
                new LearningRateScheduler(new StepDecay(0.01, 1, 0.7)),
                new ReduceLROnPlateau(monitor: "val_accuracy", factor: 0.5, patience: 0),
                new EarlyStopping(monitor: "val_loss", patience: 10, restoreBestWeights: true),
            },
        };

        using var whole = TestSupport.SmallCnn(seed: 3, dropout: true);
        whole.Compile(new Adam());
        var expected = whole.Fit(x, y, Options(4, null));

        var checkpoint = Path.Combine(_folder, "run");
        using (var first = TestSupport.SmallCnn(seed: 3, dropout: true))
        {
            first.Compile(new Adam());
            first.Fit(x, y, Options(2, checkpoint));
        }
        Assert.Contains(Directory.GetFiles(checkpoint), f => f.EndsWith("callback-2-2.safetensors", StringComparison.Ordinal));
        using var resumed = TestSupport.SmallCnn(seed: 99, dropout: true);
        resumed.Compile(new Adam());
        var actual = resumed.Fit(x, y, Options(4, checkpoint));

        Assert.Equal(expected.Loss, actual.Loss);
        Assert.Equal(expected.ValLoss, actual.ValLoss);
        Assert.Equal(expected["learning_rate"], actual["learning_rate"]);
        Assert.Equal(TestSupport.ToArray(((Conv2D)whole.Layers[0]).Kernel), TestSupport.ToArray(((Conv2D)resumed.Layers[0]).Kernel));
    }
}

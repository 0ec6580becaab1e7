using CnnLab.Core;
using CnnLab.Layers;
using CnnLab.Models;
using CnnLab.Optimizers;
using CnnLab.Training;
using static TorchSharp.torch;

namespace CnnLab.Tests.Training;

/// <summary>Keras 3's use_ema: a moving average of the weights that replaces them when the Fit ends.</summary>
public sealed class WeightAverageTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cnnlab-ema-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    /// <summary>Keeps the kernel after every step, as the step left it (before any average replaces it).</summary>
    private sealed class KernelLog(Dense dense) : Callback
    {
        public List<float[]> Kernels { get; } = new();

        public override void OnBatchEnd(TrainingContext context, int batch, IReadOnlyDictionary<string, double> logs) =>
            Kernels.Add(TestSupport.ToArray(dense.Kernel));
    }

    [Fact]
    public void The_fit_ends_with_each_weight_the_keras_moving_average_of_its_values_after_every_step()
    {
        var (x, y) = TestSupport.Bars(32, seed: 4);
        using var model = new Sequential(Shape.Image(12, 12, 1), seed: 2);
        model.Add(new Flatten());
        var dense = new Dense(2, activation: "softmax");
        model.Add(dense);
        model.Compile(new SGD(0.5) { UseEma = true, EmaMomentum = 0.5 });
        var log = new KernelLog(dense);

        model.Fit(x, y, new FitOptions { BatchSize = 8, Epochs = 1, Seed = 1, Verbose = 0, Callbacks = new Callback[] { log } });

        // Keras: the first step copies the weight, then average = 0.5 * average + 0.5 * weight, in float32.
        var average = log.Kernels[0];
        foreach (var kernel in log.Kernels.Skip(1))
        {
            average = average.Zip(kernel, (a, w) => 0.5f * a + 0.5f * w).ToArray();
        }
        Assert.Equal(4, log.Kernels.Count);
        Assert.NotEqual(log.Kernels[^1], average);
        Assert.Equal(average, TestSupport.ToArray(dense.Kernel), new FloatTolerance(1e-6f));
        Assert.Equal("SGD(learning_rate=0.5, momentum=0, nesterov=False, use_ema=True, ema_momentum=0.5)", model.Optimizer!.ToString());
    }

    [Fact]
    public void A_fit_resumed_from_its_checkpoint_continues_the_average_exactly()
    {
        var (x, y) = TestSupport.Bars(64, seed: 12);
        FitOptions Options(int epochs, string? folder) => new()
        {
            BatchSize = 16, Epochs = epochs, ValidationSplit = 0.25, Seed = 5, Verbose = 0, CheckpointFolder = folder,
        };
        using var whole = TestSupport.SmallCnn(seed: 3, batchNorm: true);
        whole.Compile(new Adam { UseEma = true, EmaMomentum = 0.9 });
        whole.Fit(x, y, Options(3, null));

        var checkpoint = Path.Combine(_folder, "run");
        using (var first = TestSupport.SmallCnn(seed: 3, batchNorm: true))
        {
            first.Compile(new Adam { UseEma = true, EmaMomentum = 0.9 });
            first.Fit(x, y, Options(1, checkpoint));
        }
        using var resumed = TestSupport.SmallCnn(seed: 99, batchNorm: true);
        resumed.Compile(new Adam { UseEma = true, EmaMomentum = 0.9 });
        resumed.Fit(x, y, Options(3, checkpoint));

        Assert.Equal(TestSupport.ToArray(((Conv2D)whole.Layers[0]).Kernel), TestSupport.ToArray(((Conv2D)resumed.Layers[0]).Kernel));
        Assert.Contains("callback-0-3.safetensors", Directory.GetFiles(checkpoint).Select(Path.GetFileName));
    }

    [Fact]
    public void An_ema_momentum_outside_0_1_is_refused_in_keras_words()
    {
        var e = Assert.Throws<ArgumentException>(() => new Adam { EmaMomentum = 1 });

        Assert.Equal("Invalid value for argument `ema_momentum`. Expected a value in [0, 1). Received: ema_momentum=1",
            TestSupport.KerasMessage(e));
    }
}

using CnnLab.Layers;
using CnnLab.Optimizers;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace CnnLab.Tests.Training;

/// <summary>Keras' clipnorm: each weight's gradient scaled on its own to an L2 norm of at most clipnorm before the step.</summary>
public sealed class ClipNormTests
{
    [Fact]
    public void Each_gradient_is_clipped_on_its_own_to_the_norm_and_one_within_it_is_untouched()
    {
        using var large = new Parameter(zeros(2));
        using var small = new Parameter(zeros(2));
        using var none = new Parameter(zeros(3));
        large.grad = tensor(new float[] { 3, 4 });     // norm 5
        small.grad = tensor(new float[] { 0.3f, 0.4f }); // norm 0.5
        none.grad = zeros(3);
        var optimizer = new SGD(0.1) { ClipNorm = 1 };

        optimizer.ClipGradients(new[] { large, small, none });

        // By hand: [3, 4] * 1 / max(5, 1) = [0.6, 0.8]; [0.3, 0.4] * 1 / max(0.5, 1) = itself; zeros stay zeros.
        Assert.Equal(new[] { 0.6f, 0.8f }, TestSupport.ToArray(large.grad!).Select(v => MathF.Round(v, 6)));
        Assert.Equal(new[] { 0.3f, 0.4f }, TestSupport.ToArray(small.grad!));
        Assert.Equal(new[] { 0f, 0f, 0f }, TestSupport.ToArray(none.grad!));
    }

    [Fact]
    public void Fit_clips_before_the_step_so_each_weight_moves_at_most_learning_rate_times_clipnorm()
    {
        var (x, y) = TestSupport.Bars(16, seed: 1);
        (Tensor Before, Tensor After)[] Trained(double? clipNorm)
        {
            using var model = TestSupport.SmallCnn(seed: 2);
            var before = model.parameters().Select(p => p.detach().clone()).ToList();
            model.Compile(new SGD(0.1) { ClipNorm = clipNorm });
            model.Fit(x, y, batchSize: 16, epochs: 1, shuffle: false, seed: 1, verbose: 0);
            return before.Zip(model.parameters().Select(p => p.detach().clone()), (b, a) => (b, a)).ToArray();
        }

        var free = Trained(null);
        var clipped = Trained(1e-3);

        // One SGD step w - lr * g: unclipped, each weight moves by lr * ||g||; clipped, by lr * min(||g||, c), in the same direction.
        for (var i = 0; i < free.Length; i++)
        {
            using var freeStep = free[i].Before - free[i].After;
            using var clippedStep = clipped[i].Before - clipped[i].After;
            var freeNorm = freeStep.norm().item<float>();
            var expected = Math.Min(freeNorm, 0.1 * 1e-3);
            Assert.Equal(expected, clippedStep.norm().item<float>(), 1e-6);
            using var scaled = freeStep * (float)(expected / freeNorm);
            Assert.True(allclose(clippedStep, scaled, rtol: 1e-3, atol: 1e-8), $"weight {i}");
        }
    }

    [Fact]
    public void Clipnorm_must_be_positive_and_is_listed_with_the_settings()
    {
        var e = Assert.Throws<ArgumentException>(() => new Adam { ClipNorm = 0 });
        Assert.Equal("Invalid value for argument `clipnorm`. Expected a strictly positive finite value. Received: clipnorm=0",
            TestSupport.KerasMessage(e));
        Assert.Equal("SGD(learning_rate=0.01, momentum=0, nesterov=False, clipnorm=1.5)", new SGD { ClipNorm = 1.5 }.ToString());
    }
}

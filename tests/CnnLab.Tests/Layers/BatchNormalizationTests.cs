using CnnLab.Core;
using CnnLab.Layers;
using static TorchSharp.torch;

namespace CnnLab.Tests.Layers;

public class BatchNormalizationTests
{
    private const int N = 4, C = 3, H = 5, W = 2;

    [Fact]
    public void Training_normalises_with_batch_statistics_and_moves_the_moving_ones()
    {
        var x = ReferenceOps.Random4(N, C, H, W, seed: 3);
        var layer = new BatchNormalization();
        layer.Build(Shape.Image(H, W, C));
        SetGammaBeta(layer, new[] { 1.5f, 0.5f, 2f }, new[] { 0.1f, -0.3f, 0f });
        layer.train();

        using var input = tensor(ReferenceOps.Flatten(x), new long[] { N, C, H, W });
        using var output = layer.forward(input);

        var (mean, variance) = ChannelStatistics(x);
        var actual = TestSupport.ToArray(output);
        var gamma = new[] { 1.5, 0.5, 2.0 };
        var beta = new[] { 0.1, -0.3, 0.0 };
        for (var n = 0; n < N; n++)
        for (var c = 0; c < C; c++)
        for (var h = 0; h < H; h++)
        for (var w = 0; w < W; w++)
        {
            var expected = (x[n, c, h, w] - mean[c]) / Math.Sqrt(variance[c] + 1e-3) * gamma[c] + beta[c];
            Assert.Equal(expected, actual[((n * C + c) * H + h) * W + w], 1e-4);
        }
        var movingMean = TestSupport.ToArray(layer.MovingMean);
        var movingVariance = TestSupport.ToArray(layer.MovingVariance);
        for (var c = 0; c < C; c++)
        {
            Assert.Equal(0.99 * 0 + 0.01 * mean[c], movingMean[c], 6);
            Assert.Equal(0.99 * 1 + 0.01 * variance[c], movingVariance[c], 6);
        }
    }

    [Fact]
    public void Inference_uses_the_moving_statistics()
    {
        var x = ReferenceOps.Random4(N, C, H, W, seed: 4);
        var layer = new BatchNormalization(epsilon: 0.01);
        layer.Build(Shape.Image(H, W, C));
        using (no_grad())
        {
            layer.MovingMean.copy_(tensor(new[] { 0.5f, -1f, 0f }));
            layer.MovingVariance.copy_(tensor(new[] { 4f, 0.25f, 1f }));
        }
        layer.eval();

        using var input = tensor(ReferenceOps.Flatten(x), new long[] { N, C, H, W });
        using var output = layer.forward(input);

        var actual = TestSupport.ToArray(output);
        var mean = new[] { 0.5, -1.0, 0.0 };
        var variance = new[] { 4.0, 0.25, 1.0 };
        for (var i = 0; i < actual.Length; i++)
        {
            var c = i / (H * W) % C;
            var source = ReferenceOps.Flatten(x)[i];
            Assert.Equal((source - mean[c]) / Math.Sqrt(variance[c] + 0.01), actual[i], 1e-5);
        }
        Assert.Equal(new[] { 0.5f, -1f, 0f }, TestSupport.ToArray(layer.MovingMean));
    }

    [Fact]
    public void Moving_statistics_count_as_non_trainable_parameters()
    {
        var layer = new BatchNormalization();
        layer.Build(Shape.Image(28, 28, 20));

        Assert.Equal(40, layer.TrainableParamCount);
        Assert.Equal(40, layer.NonTrainableParamCount);
    }

    [Fact]
    public void Works_on_dense_outputs()
    {
        var layer = new BatchNormalization();
        layer.Build(new Shape(3));
        layer.train();
        using var input = tensor(new[] { 1f, 2f, 3f, 3f, 2f, 1f }, new long[] { 2, 3 });

        using var output = layer.forward(input);

        Assert.Equal(new[] { -1f, 0f, 1f, 1f, 0f, -1f }, TestSupport.ToArray(output).Select(v => MathF.Round(v, 3)));
        Assert.Equal(new[] { 0.02f, 0.02f, 0.02f }, TestSupport.ToArray(layer.MovingMean).Select(v => MathF.Round(v, 5)));
    }

    private static void SetGammaBeta(BatchNormalization layer, float[] gamma, float[] beta)
    {
        using var _ = no_grad();
        layer.Gamma!.copy_(tensor(gamma));
        layer.Beta!.copy_(tensor(beta));
    }

    private static (double[] Mean, double[] Variance) ChannelStatistics(float[,,,] x)
    {
        var mean = new double[C];
        var variance = new double[C];
        var count = N * H * W;
        for (var c = 0; c < C; c++)
        {
            double sum = 0, squares = 0;
            for (var n = 0; n < N; n++)
            for (var h = 0; h < H; h++)
            for (var w = 0; w < W; w++)
            {
                sum += x[n, c, h, w];
                squares += x[n, c, h, w] * (double)x[n, c, h, w];
            }
            mean[c] = sum / count;
            variance[c] = squares / count - mean[c] * mean[c];
        }
        return (mean, variance);
    }
}
